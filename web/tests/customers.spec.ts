import { expect } from "@playwright/test";
import { postJson, screenshotPath, test, uniqueToken } from "./support";

const HEADER =
  "external_id,name,email,phone,city,state,gender,birthday,signed_up_at,tags,consent_email,consent_sms,consent_whatsapp,consent_rcs";

test("a CSV upload stores the good rows, lists the bad row's line, and refreshes the list", async ({
  page,
}) => {
  const token = uniqueToken();
  const csv = [
    HEADER,
    `web-${token}-1,Ishita Webtest${token},ishita.${token}@example.com,,Pune,Maharashtra,female,1995-05-01,2025-01-02T10:00:00+05:30,vip;newsletter,yes,no,no,no`,
    `web-${token}-2,Broken Webtest${token},not-an-email,,Pune,Maharashtra,female,1996-02-11,2025-02-02T10:00:00+05:30,,yes,no,no,no`,
    `web-${token}-3,Meera Webtest${token},meera.${token}@example.com,,Kochi,Kerala,female,1990-12-24,2025-03-02T10:00:00+05:30,,yes,yes,no,no`,
  ].join("\n");

  await page.goto("/customers");
  const search = page.getByLabel("Search customers");
  await search.fill(`Webtest${token}`);
  await expect(page.getByText(`No customers match “Webtest${token}”`)).toBeVisible();

  await page.getByLabel("CSV file").setInputFiles({
    name: "customers.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv),
  });
  await page.getByRole("button", { name: "Upload" }).click();

  const report = page.getByTestId("ingest-report");
  await expect(report).toContainText("2 created");
  await expect(report).toContainText("1 rejected");
  await expect(page.getByRole("progressbar", { name: "Upload progress" })).toHaveAttribute(
    "aria-valuenow",
    "100",
  );
  const rejected = page.getByRole("table", { name: "Rejected rows" }).locator("tbody tr");
  await expect(rejected).toHaveCount(1);
  await expect(rejected.locator("td").first()).toHaveText("3");
  await expect(rejected).toContainText(`web-${token}-2`);
  await expect(rejected).toContainText(/email/i);

  // The search that found nobody now finds the two good rows, without reloading.
  const rows = page.locator("table.table").last().locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows).toContainText([`Ishita Webtest${token}`, `Meera Webtest${token}`]);
  await page.screenshot({ path: screenshotPath("customers-upload"), fullPage: true });

  await rows.getByRole("link", { name: `Ishita Webtest${token}` }).click();
  await expect(page.getByRole("heading", { name: `Ishita Webtest${token}` })).toBeVisible();
  await expect(page.getByText(`ishita.${token}@example.com`)).toBeVisible();
  await expect(page.getByText("No orders yet")).toBeVisible();
});

test("the customer list pages through keyset cursors", async ({ page }) => {
  await page.goto("/customers");
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(25);
  const firstOnPageOne = await rows.first().textContent();
  await page.getByRole("button", { name: "Next →" }).click();
  await expect(page.getByText("Page 2")).toBeVisible();
  await expect(rows.first()).not.toHaveText(firstOnPageOne ?? "");
  await page.getByRole("button", { name: "← Previous" }).click();
  await expect(page.getByText("Page 1")).toBeVisible();
  await expect(rows.first()).toHaveText(firstOnPageOne ?? "");
});

test("a customer's profile lists the messages sent to them, with each one's lifecycle status", async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  const token = uniqueToken();
  const city = `Msgtown${token}`;
  const ingested = await postJson(request, "/api/ingest", {
    customers: [
      {
        external_id: `web-msg-${token}`,
        name: `Tara Msgtest${token}`,
        phone: "+919800012345",
        city,
        consent: { email: false, sms: true, whatsapp: false, rcs: false },
      },
    ],
  });
  expect(ingested.ok()).toBeTruthy();
  const created = await postJson(request, "/api/campaigns", {
    name: `Hello ${city}`,
    filter: { match: "all", conditions: [{ field: "city", op: "eq", value: city }] },
    channel: "sms",
    message: { body: "Hi {{ name | default: 'there' }}" },
  });
  expect(created.status()).toBe(201);
  const campaign = (await created.json()) as { id: number };
  expect((await postJson(request, `/api/campaigns/${campaign.id}/launch`, {})).ok()).toBeTruthy();

  await page.goto("/customers");
  await page.getByLabel("Search customers").fill(`Msgtest${token}`);
  await page.getByRole("link", { name: `Tara Msgtest${token}` }).click();
  const messages = page.getByTestId("customer-messages");
  const row = messages.getByRole("table", { name: "Messages" }).locator("tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("link", { name: `campaign #${campaign.id}` })).toBeVisible();
  await expect(row).toContainText("SMS");
  // The simulator plays the lifecycle in seconds: the status moves past "queued" while we watch.
  await expect(row.getByTestId("message-status")).toHaveText(/sent|delivered|clicked|converted|failed/, {
    timeout: 30_000,
  });
  await page.screenshot({ path: screenshotPath("customer-messages"), fullPage: true });
});
