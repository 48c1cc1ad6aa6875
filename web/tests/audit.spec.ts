import { expect } from "@playwright/test";
import { OPERATOR_EMAIL } from "./operator";
import { postJson, screenshotPath, test } from "./support";

test("the audit log names the copilot as drafter and the operator as approver", async ({ page, request }) => {
  test.setTimeout(60_000);
  const chat = await postJson(request, "/api/agent/chat", {
    message: "Thank our VIPs in Mumbai on WhatsApp",
  });
  expect(chat.status()).toBe(200);
  const { staged_campaign_id: campaignId } = (await chat.json()) as { staged_campaign_id: number | null };
  expect(campaignId).not.toBeNull();
  const launched = await postJson(request, `/api/campaigns/${campaignId}/launch`, {});
  expect(launched.ok()).toBeTruthy();

  // On the campaign's own page …
  await page.goto(`/campaigns/${campaignId}`);
  const activity = page.getByTestId("activity");
  await expect(activity.getByTestId("activity-created").getByTestId("activity-actor")).toHaveText("Copilot (agent)");
  await expect(activity.getByTestId("activity-approved_and_launched").getByTestId("activity-actor")).toHaveText(
    OPERATOR_EMAIL,
  );

  // … and in the audit log.
  await page.goto("/audit");
  const rows = page.getByTestId("audit-table").locator("tbody tr").filter({ hasText: `campaign #${campaignId}` });
  await expect(rows.filter({ hasText: "drafted" })).toContainText("Copilot (agent)");
  await expect(rows.filter({ hasText: "approved & launched" })).toContainText(OPERATOR_EMAIL);
  await page.screenshot({ path: screenshotPath("audit"), fullPage: true });
});
