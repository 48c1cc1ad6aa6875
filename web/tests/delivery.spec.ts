import { expect } from "@playwright/test";
import { screenshotPath, test } from "./support";

// The real channel service in this suite is idle, so these tests give the page a busy one.
const BUSY_STATS = {
  queue_depth: 12,
  queue_capacity: 200000,
  in_flight: 340,
  accepted: 1500,
  events_emitted: 4210,
  events_emitted_by_type: { sent: 1500, delivered: 1420, opened: 610, read: 380, clicked: 190, converted: 40, failed: 70 },
  duplicates_injected: 75,
  retries: 9,
  dead_letters: { batches: 2, events: 5 },
  callback_latency_ms: { p50: 18.5, p95: 92 },
  time_scale: 20000,
};

test("delivery shows the channel service's counters, a chart, and redrives dead letters", async ({ page }) => {
  await page.route("**/api/delivery/status", (route) =>
    route.fulfill({ json: { reachable: true, channel_service: BUSY_STATS, error: null } }),
  );
  let redriven = 0;
  await page.route("**/api/delivery/dead-letters/redrive", (route) => {
    redriven += 1;
    return route.fulfill({ json: { batches: 2, events: 5 } });
  });

  await page.goto("/delivery");
  const stats = page.getByTestId("channel-stats");
  await expect(stats).toContainText("Queue depth");
  await expect(stats).toContainText("1,500");
  await expect(stats).toContainText("92 ms");
  await expect(page.locator(".recharts-bar-rectangle")).toHaveCount(7);
  await expect(stats).toContainText("2 batches · 5 events");
  await page.screenshot({ path: screenshotPath("delivery-busy"), fullPage: true });

  await page.getByRole("button", { name: "Redrive dead letters…" }).click();
  const confirm = page.getByRole("dialog", { name: "Redrive the dead letters?" });
  await expect(confirm).toContainText("2 batches (5 receipt events)");
  expect(redriven).toBe(0); // nothing happens before the confirmation
  await confirm.getByRole("button", { name: "Redrive 2 batches" }).click();
  await expect(page.getByText("Requeued 2 batches (5 events).")).toBeVisible();
  expect(redriven).toBe(1);
});

test("delivery says so when the channel service is unreachable", async ({ page }) => {
  await page.route("**/api/delivery/status", (route) =>
    route.fulfill({
      json: { reachable: false, channel_service: null, error: "channel service unreachable: ConnectError()" },
    }),
  );
  await page.goto("/delivery");
  await expect(page.getByRole("alert")).toContainText("The channel service is unreachable");
  await expect(page.getByRole("alert")).toContainText("ConnectError");
});

test("delivery shows a clear state when the status endpoint does not exist", async ({ page }) => {
  await page.route("**/api/delivery/status", (route) =>
    route.fulfill({ status: 404, json: { detail: "Not Found" } }),
  );
  await page.goto("/delivery");
  await expect(page.getByText("Delivery status is not available yet")).toBeVisible();
  await expect(page.getByTestId("health")).toContainText("DB: SQLite");
});
