import { expect } from "@playwright/test";
import { collectBrowserErrors, postJson, screenshotPath, test, uniqueToken } from "./support";

/** Seeded customers with at least one order: a saved segment that reaches people on WhatsApp. */
const BUYERS = { match: "all", conditions: [{ field: "order_count", op: "gte", value: 1 }] };

/** Local `datetime-local` text two hours from now. */
function inTwoHours(): string {
  const when = new Date(Date.now() + 2 * 60 * 60_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

test("a campaign is created from a saved segment, test-sent, scheduled, cancelled and launched through the confirmation", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const errors = collectBrowserErrors(page);
  const token = uniqueToken();
  const segment = await postJson(request, "/api/segments", { name: `Buyers ${token}`, filter: BUYERS });
  expect(segment.status(), await segment.text()).toBe(201);

  await page.goto("/campaigns");
  await page.getByRole("link", { name: "New campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/new$/);
  await page.getByLabel("Campaign name").fill(`Buyers hello ${token}`);
  await page.getByLabel("Segment", { exact: true }).selectOption({ label: `Buyers ${token}` });
  const channels = page.getByRole("radiogroup", { name: "Channel" });
  await expect(channels).toContainText("recommended");
  await expect(channels.getByRole("radio")).toHaveCount(4);
  await channels.getByRole("radio", { name: "WhatsApp" }).check();
  await page.getByLabel("Message", { exact: true }).fill('Hi {{ first_name | default: "there" }}, thanks for shopping with us!');
  await page.screenshot({ path: screenshotPath("campaign-new"), fullPage: true });
  await page.getByRole("button", { name: "Save draft" }).click();

  await expect(page).toHaveURL(/\/campaigns\/\d+$/);
  const campaignId = Number(page.url().split("/").pop());
  await expect(page.getByTestId("status")).toHaveText("draft");
  await expect(page.getByTestId("campaign-preview")).toContainText("reachable");

  // A test send to a typed number: rendered, and never counted.
  const testSend = page.getByTestId("test-send");
  await testSend.getByLabel("Test phone number").fill("+91 98765 43210");
  await testSend.getByRole("button", { name: "Send test" }).click();
  await expect(testSend.getByRole("status")).toContainText("Test sent to +919876543210");
  await expect(testSend.getByRole("status")).toContainText("thanks for shopping with us!");
  await expect(testSend.getByRole("status")).not.toContainText("{{");

  // Schedule for later through the confirmation.
  await page.getByRole("button", { name: "Approve & Launch…" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("launch-summary")).toContainText("Reachable on WhatsApp");
  await expect(dialog.getByTestId("launch-summary")).toContainText("Estimated cost");
  await dialog.getByLabel("At a time").check();
  await dialog.getByLabel("Start at").fill(inTwoHours());
  await page.screenshot({ path: screenshotPath("campaign-launch-dialog"), fullPage: true });
  await dialog.getByRole("button", { name: "Schedule launch" }).click();
  await expect(page.getByTestId("status")).toHaveText("scheduled");
  await expect(page.getByTestId("scheduled-notice")).toContainText("nothing has been sent yet");
  const scheduled = (await (await request.get(`/api/campaigns/${campaignId}`)).json()) as { scheduled_at: string };
  const minutes = (new Date(scheduled.scheduled_at).getTime() - Date.now()) / 60_000;
  expect(minutes).toBeGreaterThan(110);
  expect(minutes).toBeLessThan(121);

  // Cancel: back to draft.
  await page.getByRole("button", { name: "Cancel scheduled launch…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel launch" }).click();
  await expect(page.getByTestId("status")).toHaveText("draft");

  // Launch now.
  await page.getByRole("button", { name: "Approve & Launch…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /^Launch now to \d/ }).click();
  await expect(page.getByTestId("status")).toHaveText(/running|completed/);
  const stats = (await (await request.get(`/api/campaigns/${campaignId}/stats`)).json()) as { audience: number };
  expect(stats.audience).toBeGreaterThan(0);
  // The test send is in no stats: the funnel counts only the campaign's own recipients.
  await expect(page.getByTestId("campaign-message")).toBeVisible();
  await page.screenshot({ path: screenshotPath("campaign-launched"), fullPage: true });
  expect(errors).toEqual([]);
});

test("a campaign that would reach nobody cannot be launched, and says why", async ({ page, request }) => {
  const errors = collectBrowserErrors(page);
  const created = await postJson(request, "/api/campaigns", {
    name: `Nobody on RCS ${uniqueToken()}`,
    filter: { match: "none", conditions: [{ field: "reachable_on", op: "eq", value: "rcs" }] },
    channel: "rcs",
    message: { body: "Hello" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { id: number }).id;

  await page.goto(`/campaigns/${id}`);
  await page.getByRole("button", { name: "Approve & Launch…" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("zero-reach")).toContainText("Nobody can be reached on RCS");
  await expect(dialog.getByRole("button", { name: /^Launch now/ })).toBeDisabled();
  await page.screenshot({ path: screenshotPath("campaign-zero-reach"), fullPage: true });

  // The API refuses it too, with the reason.
  const refused = await postJson(request, `/api/campaigns/${id}/launch`, {});
  expect(refused.status()).toBe(409);
  expect(((await refused.json()) as { detail: string }).detail).toMatch(/nobody to send to: 0 of [\d,]+/);
  await dialog.getByRole("button", { name: "Back" }).click();
  await expect(page.getByTestId("status")).toHaveText("draft");
  expect(errors).toEqual([]);
});
