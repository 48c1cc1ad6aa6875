import { expect } from "@playwright/test";
import { collectBrowserErrors, postJson, screenshotPath, test, uniqueToken } from "./support";

type Stats = {
  variants: { name: string; recipients: number }[];
  holdout: { customers: number; converted: number };
  messaged: { customers: number };
  lift: { ci95: number[] | null; method: string };
};

test("the experiment view shows the arms, the holdout and the lift with its interval", async ({ page, request }) => {
  const errors = collectBrowserErrors(page);
  const token = uniqueToken();
  const created = await postJson(request, "/api/campaigns", {
    name: `Experiment ${token}`,
    channel: "email",
    filter: { conditions: [{ field: "order_count", op: "gte", value: 0 }] },
    variants: [
      { name: "A", message: { subject: "We miss you", body: "Hi {{ first_name }}, your favourites are back" } },
      { name: "B", message: { subject: "15% off", body: "{{ first_name }}, 15% off your next order" } },
    ],
    holdout_percent: 20,
    winner: { metric: "click_rate", test_percent: 50, decide_after_hours: 720 },
  });
  expect(created.status(), await created.text()).toBe(201);
  const campaign = (await created.json()) as { id: number };
  const launched = await postJson(request, `/api/campaigns/${campaign.id}/launch`, {});
  expect(launched.status(), await launched.text()).toBe(200);

  // Orders after launch from some customers (messaged and held out alike), so the lift has data.
  const customers = (await (await request.get("/api/customers?limit=80")).json()) as {
    items: { external_id: string }[];
  };
  const orders = customers.items.slice(0, 80).map((customer, index) => ({
    external_id: `exp-${token}-${index}`,
    customer_external_id: customer.external_id,
    ordered_at: new Date().toISOString(),
    amount: 499 + index * 10,
  }));
  expect((await postJson(request, "/api/ingest", { orders })).status()).toBe(200);

  const stats = (await (await request.get(`/api/campaigns/${campaign.id}/stats`)).json()) as Stats;
  expect(stats.variants.map((variant) => variant.name)).toEqual(["A", "B"]);
  expect(stats.holdout.customers).toBeGreaterThan(0);
  expect(stats.lift.ci95).not.toBeNull();

  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(`/campaigns/${campaign.id}`);
  const panel = page.getByTestId("experiment");
  await expect(panel.getByRole("heading", { name: "Experiment" })).toBeVisible();
  await expect(panel.getByTestId("variant-messages")).toContainText("15% off your next order");
  await expect(panel.getByTestId("variant-A")).toContainText("A");
  await expect(panel.getByTestId("variant-B")).toContainText("B");
  for (const variant of stats.variants) {
    await expect(panel.getByTestId(`variant-${variant.name}`)).toContainText(variant.recipients.toLocaleString("en-IN"));
  }
  await expect(panel.getByTestId("holdout")).toContainText("Holdout");
  await expect(panel.getByTestId("holdout")).toContainText(
    `${stats.holdout.converted.toLocaleString("en-IN")} of ${stats.holdout.customers.toLocaleString("en-IN")} ordered`,
  );
  await expect(panel.getByTestId("lift-ci")).toContainText("95% CI");
  await expect(panel.getByTestId("lift-ci")).toContainText(" to ");
  await expect(panel.getByTestId("lift-method")).toContainText("Newcombe");
  await expect(panel.getByTestId("attribution-note")).toContainText("provider receipts");
  await expect(panel.getByTestId("winner-status")).toContainText("Testing on 50%");
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath("campaign-experiment-1440"), fullPage: true });

  await panel.getByRole("button", { name: "Decide now" }).click();
  await expect(panel.getByTestId("winner-status")).toContainText("Winner:");
  await expect(panel.locator(".experiment__badge")).toHaveCount(1);

  await page.setViewportSize({ width: 390, height: 900 });
  await page.reload();
  await expect(page.getByTestId("experiment").getByTestId("lift-ci")).toContainText("95% CI");
  await page.screenshot({ path: screenshotPath("campaign-experiment-390"), fullPage: true });
  expect(errors).toEqual([]);
});
