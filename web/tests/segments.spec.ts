import { expect, type Page } from "@playwright/test";
import { csrfHeaders, screenshotPath, test, uniqueToken } from "./support";

async function expectedCount(page: Page, filter: unknown): Promise<number> {
  const response = await page.request.post("/api/segments/preview", { headers: csrfHeaders(), data: { filter, sample_size: 0 } });
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as { count: number }).count;
}

test("build a nested segment with a live preview, save it, list it and export it", async ({ page }) => {
  const name = `Pune regulars ${uniqueToken()}`;
  await page.goto("/segments/new");
  const count = page.getByTestId("audience-count");
  const explanation = page.getByTestId("audience-explanation");
  await expect(explanation).toHaveText("all customers");

  // City is Pune.
  await page.getByRole("button", { name: "+ Condition" }).click();
  const first = page.locator('[data-path="conditions[0]"]');
  await first.getByLabel("Field").selectOption({ label: "City" });
  await first.getByLabel("Operator").selectOption({ label: "is" });
  await first.getByLabel("Value", { exact: true }).fill("Pune");
  const puneOnly = { match: "all", conditions: [{ field: "city", op: "eq", value: "Pune" }] };
  await expect(explanation).toContainText("Pune");
  await expect(count).toHaveText(String(await expectedCount(page, puneOnly)));

  // An invalid range is reported inline, naming the node path.
  await page.getByRole("button", { name: "+ Condition" }).first().click();
  const second = page.locator('[data-path="conditions[1]"]');
  await second.getByLabel("Field").selectOption({ label: "Age" });
  await second.getByLabel("Operator").selectOption({ label: "between" });
  await second.getByLabel("Low value", { exact: true }).fill("40");
  await second.getByLabel("High value", { exact: true }).fill("20");
  await expect(page.getByRole("alert")).toContainText("conditions[1].value: between needs low <= high");
  await expect(second).toHaveClass(/condition--invalid/);
  await second.getByRole("button", { name: "Remove condition" }).click();
  await expect(page.getByRole("alert")).toHaveCount(0);

  // A nested "any of" group: at least 2 orders, or spent at least ₹3000.
  await page.getByRole("button", { name: "+ Group" }).first().click();
  const group = page.locator('[data-path="conditions[1]"]');
  await expect(group.getByLabel("Match")).toHaveValue("any");
  for (const [index, label, op, value] of [
    [0, "Orders", "at least", "2"],
    [1, "Total spent (₹)", "at least", "3000"],
  ] as const) {
    await group.getByRole("button", { name: "+ Condition" }).click();
    const node = page.locator(`[data-path="conditions[1].conditions[${index}]"]`);
    await node.getByLabel("Field").selectOption({ label });
    await node.getByLabel("Operator").selectOption({ label: op });
    await node.getByLabel("Value", { exact: true }).fill(value);
  }
  const nested = {
    match: "all",
    conditions: [
      { field: "city", op: "eq", value: "Pune" },
      {
        match: "any",
        conditions: [
          { field: "order_count", op: "gte", value: 2 },
          { field: "total_spent", op: "gte", value: 3000 },
        ],
      },
    ],
  };
  const nestedCount = await expectedCount(page, nested);
  await expect(count).toHaveText(String(nestedCount));
  await expect(explanation).toContainText("Pune");
  await expect(explanation).toContainText("3,000");
  await page.screenshot({ path: screenshotPath("segment-builder"), fullPage: true });

  await page.getByLabel("Segment name").fill(name);
  await page.getByRole("button", { name: "Save segment" }).click();
  await expect(page).toHaveURL(/\/segments\/\d+$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByTestId("filter-tree")).toContainText("City is “Pune”");
  await expect(page.getByTestId("filter-tree")).toContainText("Orders at least 2");

  const exportHref = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  expect(exportHref).toMatch(/^\/api\/segments\/\d+\/customers\?format=csv$/);
  const exported = await page.request.get(exportHref ?? "");
  expect(exported.status()).toBe(200);
  expect(exported.headers()["content-type"]).toContain("text/csv");
  const lines = (await exported.text()).trim().split(/\r?\n/);
  expect(lines[0]).toContain("external_id");
  expect(lines.length - 1).toBe(nestedCount);

  await page.getByRole("link", { name: "← Segments" }).click();
  await expect(page.getByRole("link", { name })).toBeVisible();

  // The name is taken now: the API's 409 detail is shown.
  await page.goto("/segments/new");
  await page.getByLabel("Segment name").fill(name);
  await page.getByRole("button", { name: "Save segment" }).click();
  await expect(page.getByRole("alert")).toContainText("already exists");
});

test("value inputs follow the operator: lists, within days, and exists", async ({ page }) => {
  await page.goto("/segments/new");
  const explanation = page.getByTestId("audience-explanation");
  await page.getByRole("button", { name: "+ Condition" }).click();
  const node = page.locator('[data-path="conditions[0]"]');
  await node.getByLabel("Field").selectOption({ label: "Bought category" });
  await node.getByLabel("Operator").selectOption({ label: "is any of" });
  // The list starts with the most common known value; add another with Enter, remove the first.
  const first = (await node.locator(".chip--removable").first().textContent())?.replace("×", "") ?? "";
  await node.getByLabel("Add a value", { exact: true }).fill("Lipstick");
  await node.getByLabel("Add a value", { exact: true }).press("Enter");
  if (first !== "Lipstick") await node.getByRole("button", { name: `Remove ${first}` }).click();
  await expect(node.locator(".chip--removable")).toHaveText(["Lipstick×"]);
  await node.getByLabel("Within days", { exact: true }).fill("90");
  await expect(explanation).toContainText("Lipstick");
  await expect(explanation).toContainText("90 days");

  await page.getByRole("button", { name: "+ Condition" }).last().click();
  const second = page.locator('[data-path="conditions[1]"]');
  await second.getByLabel("Field").selectOption({ label: "Age" });
  await second.getByLabel("Operator").selectOption({ label: "is set" });
  await second.getByLabel("Value", { exact: true }).selectOption("false");
  const filter = {
    match: "all",
    conditions: [
      { field: "category", op: "in", value: ["Lipstick"], within_days: 90 },
      { field: "age", op: "exists", value: false },
    ],
  };
  const expected = await page.request.post("/api/segments/preview", { headers: csrfHeaders(), data: { filter, sample_size: 0 } });
  const { count, explanation: english } = (await expected.json()) as { count: number; explanation: string };
  await expect(explanation).toHaveText(english);
  await expect(page.getByTestId("audience-count")).toHaveText(String(count));
});

test("the builder offers engagement, birthday and spend percentile with their qualifiers", async ({ page }) => {
  await page.goto("/segments/new");
  const explanation = page.getByTestId("audience-explanation");
  await page.getByRole("button", { name: "+ Condition" }).click();
  const node = page.locator('[data-path="conditions[0]"]');
  await node.getByLabel("Field").selectOption({ label: "Engagement" });
  await node.getByLabel("Operator").selectOption({ label: "is not" });
  await node.getByLabel("Value", { exact: true }).selectOption("received");
  await node.getByLabel("Message channel", { exact: true }).selectOption("whatsapp");
  await node.getByLabel("Campaign id", { exact: true }).fill("1");
  await node.getByLabel("Within days", { exact: true }).fill("7");
  await expect(explanation).toContainText("did not receive a WhatsApp message of campaign 1 sent in the last 7 days");

  await page.getByRole("button", { name: "+ Condition" }).last().click();
  const second = page.locator('[data-path="conditions[1]"]');
  await second.getByLabel("Field").selectOption({ label: "Birthday in (days)" });
  await second.getByLabel("Operator").selectOption({ label: "at most" });
  await second.getByLabel("Value", { exact: true }).fill("30");
  await expect(second.getByLabel("Within days", { exact: true })).toHaveCount(0);

  await page.getByRole("button", { name: "+ Condition" }).last().click();
  const third = page.locator('[data-path="conditions[2]"]');
  await third.getByLabel("Field").selectOption({ label: "Spend percentile" });
  await third.getByLabel("Operator").selectOption({ label: "at least" });
  await third.getByLabel("Value", { exact: true }).fill("101");
  await expect(page.getByRole("alert")).toContainText("conditions[2].value: spend_percentile is at most 100");
  await third.getByLabel("Value", { exact: true }).fill("90");
  await expect(page.getByRole("alert")).toHaveCount(0);

  const filter = {
    match: "all",
    conditions: [
      { field: "engagement", op: "neq", value: "received", within_days: 7, campaign_id: 1, channel: "whatsapp" },
      { field: "birthday_in_days", op: "lte", value: 30 },
      { field: "spend_percentile", op: "gte", value: 90 },
    ],
  };
  const expected = await page.request.post("/api/segments/preview", { headers: csrfHeaders(), data: { filter, sample_size: 0 } });
  expect(expected.ok()).toBeTruthy();
  const { count, explanation: english } = (await expected.json()) as { count: number; explanation: string };
  await expect(explanation).toHaveText(english);
  await expect(page.getByTestId("audience-count")).toHaveText(String(count));
  await page.screenshot({ path: screenshotPath("segment-builder-new-fields"), fullPage: true });
});

test("a segment can be deleted from its page", async ({ page }) => {
  const name = `Throwaway ${uniqueToken()}`;
  const created = await page.request.post("/api/segments", {
    headers: csrfHeaders(),
    data: { name, filter: { match: "all", conditions: [{ field: "reachable_on", op: "eq", value: "sms" }] } },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: number };

  await page.goto(`/segments/${id}`);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page).toHaveURL(/\/segments$/);
  await expect(page.getByRole("link", { name })).toHaveCount(0);
  expect((await page.request.get(`/api/segments/${id}`)).status()).toBe(404);
});
