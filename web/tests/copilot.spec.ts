import { expect, type Locator } from "@playwright/test";
import { clickGoalChip, collectBrowserErrors, screenshotPath, test } from "./support";

const GOAL = "Win back customers who bought lipstick but haven't ordered in 60 days";

async function countIn(locator: Locator): Promise<number> {
  return Number((await locator.innerText()).replace(/\D/g, "")) || 0;
}

test("a goal streams a plan with tool cards, stages a draft, and Approve & Launch shows a rising funnel", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const errors = collectBrowserErrors(page);
  await page.goto("/");
  await expect(page.getByTestId("provider-notice")).toContainText("Offline planner — no LLM key needed");

  const stream = page.waitForResponse((response) => response.url().endsWith("/api/agent/chat/stream"));
  const composer = page.getByRole("textbox", { name: "Message the copilot" });
  await composer.fill(GOAL);
  await composer.press("Enter");
  expect((await stream).headers()["content-type"]).toContain("text/event-stream");

  await expect(page.getByTestId("user-message")).toHaveText(GOAL);
  const audience = page.locator('[data-tool="preview_audience"]');
  await expect(audience).toContainText("customers");
  await expect(audience).toContainText("Lipstick");
  await expect(page.locator('[data-tool="recommend_channel"]')).toContainText("Recommended:");
  await expect(page.locator('[data-tool="recommend_channel"] tbody tr')).toHaveCount(4);
  await expect(page.locator('[data-tool="draft_message"]')).toContainText("would see it");
  await expect(page.getByTestId("assistant-message")).toContainText("I can't send it myself");

  const staged = page.getByTestId("staged-campaign");
  await expect(staged).toContainText("draft");
  expect(await countIn(staged.getByTestId("staged-audience"))).toBeGreaterThan(0);
  // The finished conversation is addressable and listed.
  await expect(page).toHaveURL(/\?c=[\w-]+$/);
  await expect(page.getByRole("button", { name: /Win back customers who bought lipstick/ }).first()).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
  await page.screenshot({ path: screenshotPath("copilot-plan"), fullPage: true });

  await staged.getByRole("button", { name: "Approve & Launch…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /^Launch now to \d/ }).click();
  await expect(page).toHaveURL(/\/campaigns\/\d+$/);
  await expect(page.getByTestId("status")).toHaveText(/running|completed/);
  await expect(page.getByTestId("live-mode")).toContainText("live");
  // Receipts land while the page is open: the funnel numbers rise from nothing.
  await expect.poll(() => countIn(page.getByTestId("funnel-sent")), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => countIn(page.getByTestId("funnel-delivered")), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByRole("img", { name: "Messages reaching each stage over time, cumulative" })).toBeVisible();
  await expect(page.locator(".recharts-line-curve").first()).toBeAttached();
  await page.screenshot({ path: screenshotPath("campaign-live"), fullPage: true });
  expect(errors).toEqual([]);
});

test("a stored conversation reloads with its cards and continues in the same thread", async ({ page }) => {
  test.setTimeout(60_000);
  const errors = collectBrowserErrors(page);
  await page.goto("/");
  await clickGoalChip(page, "Thank our VIPs in Mumbai on WhatsApp");
  await expect(page.getByTestId("staged-campaign")).toBeVisible();
  await expect(page).toHaveURL(/\?c=/);
  const url = page.url();

  await page.goto("/campaigns");
  await page.goto(url);
  await expect(page.getByTestId("user-message")).toHaveText("Thank our VIPs in Mumbai on WhatsApp");
  await expect(page.locator('[data-tool="preview_audience"]')).toContainText("Mumbai");
  await expect(page.getByTestId("staged-campaign")).toContainText("draft");

  const composer = page.getByRole("textbox", { name: "Message the copilot" });
  await composer.fill("Win back customers who bought kajal but haven't ordered in 90 days");
  await composer.press("Enter");
  await expect(page.getByTestId("user-message")).toHaveCount(2);
  await expect(page.getByTestId("staged-campaign")).toHaveCount(2);
  await expect(page.getByRole("status")).toHaveCount(0);
  expect(page.url()).toBe(url);

  await page.getByRole("button", { name: "+ New chat" }).click();
  await expect(page.getByText("What would you like to do?")).toBeVisible();
  await expect(page.getByTestId("user-message")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("Edit on a staged draft opens the campaign in edit mode, with a preview for real recipients", async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto("/");
  await clickGoalChip(page, GOAL);
  const staged = page.getByTestId("staged-campaign");
  await expect(staged).toContainText("draft");
  await staged.getByRole("button", { name: "Edit" }).click();
  await expect(page).toHaveURL(/\/campaigns\/\d+\?edit=1$/);
  const form = page.getByTestId("campaign-edit");
  await expect(form).toBeVisible();
  await expect(page.getByTestId("campaign-preview")).toContainText("reachable");

  // A template with an unknown variable is refused with the API's reason.
  await form.getByLabel("Message").fill("Hi {{ nonsense_variable }}");
  await form.getByRole("button", { name: "Save draft" }).click();
  await expect(form.getByRole("alert")).toContainText("nonsense_variable");

  await form.getByLabel("Channel").selectOption("email");
  await form.getByLabel("Subject").fill("We saved your shade");
  await form.getByLabel("Message").fill('Hi {{ first_name | default: "there" }}, your {{ last_item }} misses you.');
  await form.getByRole("button", { name: "Save draft" }).click();
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId("campaign-message")).toContainText("We saved your shade");
  await expect(page.getByTestId("campaign-preview")).toContainText("We saved your shade");
  await page.screenshot({ path: screenshotPath("campaign-edited"), fullPage: true });
});
