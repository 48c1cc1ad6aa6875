import { expect } from "@playwright/test";
import { collectBrowserErrors, postJson, screenshotPath, test, uniqueToken } from "./support";

let customerId = 0;
let segmentId = 0;
let campaignId = 0;
let sequenceId = 0;

test.beforeAll(async ({ request }) => {
  const page = await request.get("/api/customers?limit=1");
  customerId = ((await page.json()) as { items: { id: number }[] }).items[0]?.id ?? 0;
  const segment = await request.post("/api/segments", {
    data: {
      name: `Screenshot segment ${uniqueToken()}`,
      filter: {
        match: "all",
        conditions: [
          { field: "last_order_days_ago", op: "gt", value: 30 },
          { field: "category", op: "in", value: ["Lipstick", "Kajal"], within_days: 365 },
        ],
      },
    },
  });
  expect(segment.status()).toBe(201);
  segmentId = ((await segment.json()) as { id: number }).id;
  const campaign = await postJson(request, "/api/campaigns", {
    name: `Screenshot draft ${uniqueToken()}`,
    segment_id: segmentId,
    channel: "email",
    message: { subject: "We miss you", body: 'Hi {{ first_name | default: "there" }}, come back to SUGAR.' },
  });
  expect(campaign.status()).toBe(201);
  campaignId = ((await campaign.json()) as { id: number }).id;
  const sequence = await postJson(request, "/api/sequences", {
    name: `Screenshot sequence ${uniqueToken()}`,
    segment_id: segmentId,
    steps: [
      { delay: { value: 0, unit: "days" }, channel: "whatsapp", body: "Hi {{ first_name | default: \"there\" }}!" },
      { delay: { value: 2, unit: "days" }, channel: "sms", body: "Still thinking?", condition: "if_not_converted" },
    ],
  });
  expect(sequence.status()).toBe(201);
  sequenceId = ((await sequence.json()) as { id: number }).id;
});

const PAGES: { name: string; path: () => string; ready: string }[] = [
  { name: "copilot", path: () => "/", ready: "Offline planner — no LLM key needed" },
  { name: "campaigns", path: () => "/campaigns", ready: "Screenshot draft" },
  { name: "campaign-draft", path: () => `/campaigns/${campaignId}`, ready: "Preview for real recipients" },
  { name: "campaign-edit", path: () => `/campaigns/${campaignId}?edit=1`, ready: "Edit draft" },
  { name: "sequences", path: () => "/sequences", ready: "Screenshot sequence" },
  { name: "sequence-detail", path: () => `/sequences/${sequenceId}`, ready: "The plan, in plain English" },
  { name: "customers", path: () => "/customers", ready: "Import a CSV" },
  { name: "customer-profile", path: () => `/customers/${customerId}`, ready: "Orders" },
  { name: "segments", path: () => "/segments", ready: "Screenshot segment" },
  { name: "segment-new", path: () => "/segments/new", ready: "all customers" },
  { name: "segment-detail", path: () => `/segments/${segmentId}`, ready: "Customers matching all of:" },
  { name: "delivery", path: () => "/delivery", ready: "Queue depth" },
  { name: "not-found", path: () => "/no-such-page", ready: "Page not found" },
];

for (const { name, path, ready } of PAGES) {
  test(`${name} renders without console errors`, async ({ page }) => {
    const errors = collectBrowserErrors(page);
    await page.goto(path());
    await expect(page.getByText(ready).first()).toBeVisible();
    await expect(page.getByTestId("health")).toContainText("offline planner");
    await expect(page.getByRole("status")).toHaveCount(0);
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
    expect(errors).toEqual([]);
  });
}

test("API errors show the API's detail message", async ({ page }) => {
  await page.goto("/segments/999999");
  await expect(page.getByRole("alert")).toContainText("segment 999999 not found");
});
