import { expect, type Locator } from "@playwright/test";
import { clickGoalChip, collectBrowserErrors, postJson, screenshotPath, test } from "./support";

const GOAL =
  "3-step win-back for lapsed lipstick buyers: WhatsApp now, an email 2 days later if they haven't read it, an SMS with a discount on day 5 if they still haven't bought";

async function countIn(locator: Locator): Promise<number> {
  return Number((await locator.innerText()).replace(/\D/g, "")) || 0;
}

test("a sequence staged by the copilot: edit step 2's delay inline, see version 2, launch, and watch step counts move", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors = collectBrowserErrors(page);
  await page.goto("/");
  await clickGoalChip(page, GOAL);
  const staged = page.getByTestId("staged-sequence");
  await expect(staged).toContainText("Step 1: WhatsApp");
  await expect(staged).toContainText("Step 2: email");
  await staged.getByRole("button", { name: "Edit" }).click();
  await expect(page).toHaveURL(/\/sequences\/\d+$/);

  await expect(page.getByTestId("current-version")).toHaveText("version 1");
  const editor = page.getByTestId("steps-editor");
  const save = editor.getByRole("button", { name: "Save as new version" });
  await expect(save).toBeDisabled();
  await editor.getByLabel("Step 2 delay", { exact: true }).fill("1");
  await editor.getByLabel("Step 2 delay unit").selectOption("hours");
  await save.click();

  await expect(page.getByTestId("saved-version")).toContainText("Saved as version 2");
  await expect(page.getByTestId("saved-version")).toContainText("Contacts already inside stay on their version");
  await expect(page.getByTestId("current-version")).toHaveText("version 2");
  const history = page.getByTestId("version-history");
  await expect(history.getByTestId("version-2")).toContainText(/step 2 delay/i);
  await expect(history.getByTestId("version-2")).toContainText("current");
  await expect(history.getByTestId("diff")).toContainText(/step 2 delay/i);
  await expect(editor.getByLabel("Step 2 delay", { exact: true })).toHaveValue("1");
  await page.screenshot({ path: screenshotPath("sequence-edited"), fullPage: true });

  await page.getByRole("button", { name: "Launch sequence…" }).click();
  const confirm = page.getByRole("dialog", { name: /^Launch “/ });
  await expect(confirm).toContainText("customers match its audience now");
  await expect(page.getByTestId("status")).toHaveText("draft"); // not before the confirmation
  await confirm.getByRole("button", { name: "Launch sequence" }).click();
  await expect(page.getByTestId("status")).toHaveText("live");
  await expect(page.getByTestId("sequence-stats")).toContainText("refreshing every 2 s");
  await expect.poll(() => countIn(page.getByTestId("step-1-entered")), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => countIn(page.getByTestId("step-1-sent")), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath("sequence-live"), fullPage: true });
  expect(errors).toEqual([]);
});

test("steps can be added, reordered and removed, rolled back, and edited while live", async ({ page, request }) => {
  test.setTimeout(60_000);
  const created = await postJson(request, "/api/sequences", {
    name: "Reorder me",
    filter: { match: "all", conditions: [{ field: "city", op: "eq", value: "Pune" }] },
    steps: [
      { delay: { value: 0, unit: "days" }, channel: "whatsapp", body: "First" },
      { delay: { value: 1, unit: "days" }, channel: "sms", body: "Second", condition: "if_not_converted" },
    ],
  });
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { id: number }).id;
  await page.goto(`/sequences/${id}`);
  const editor = page.getByTestId("steps-editor");
  await editor.getByRole("button", { name: "+ Add step" }).click();
  await expect(editor.getByTestId("step-3")).toBeVisible();
  await editor.getByLabel("Step 3 channel").selectOption("email");
  await editor.getByLabel("Step 3 subject").fill("A last reminder");
  await editor.getByRole("button", { name: "Move step 2 up" }).click();
  await expect(editor.getByLabel("Step 1 message")).toHaveValue("Second");
  await editor.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByTestId("current-version")).toHaveText("version 2");
  await expect(page.getByTestId("version-2")).not.toContainText("No step changes");

  await page.getByTestId("version-1").getByRole("button", { name: "Roll back to v1" }).click();
  await expect(page.getByTestId("current-version")).toHaveText("version 2"); // not before the confirmation
  await page.getByRole("dialog", { name: "Roll back to version 1?" }).getByRole("button", { name: "Roll back to v1" }).click();
  await expect(page.getByTestId("current-version")).toHaveText("version 3");
  await expect(editor.getByTestId("step-3")).toHaveCount(0);
  await expect(editor.getByLabel("Step 1 message")).toHaveValue("First");

  await page.getByRole("button", { name: "Launch sequence…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Launch sequence" }).click();
  await expect(page.getByTestId("status")).toHaveText("live");
  await editor.getByRole("button", { name: "Remove step 2" }).click();
  await editor.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByTestId("current-version")).toHaveText("version 4");
  await expect(page.getByTestId("saved-version")).toContainText("Contacts already inside stay on their version");
});
