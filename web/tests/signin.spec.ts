import { expect, test } from "@playwright/test";
import { OPERATOR_EMAIL, OPERATOR_PASSWORD } from "./operator";
import { collectBrowserErrors, screenshotPath } from "./support";

// Signed-out flows: each test starts from a fresh browser context with no cookies.

test("a signed-out visit goes to the sign-in page and comes back to where it was going", async ({ page }) => {
  const errors = collectBrowserErrors(page);
  await page.goto("/campaigns");
  await expect(page).toHaveURL(/\/login\?next=%2Fcampaigns$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: screenshotPath("login"), fullPage: true });

  await page.getByLabel("Email").fill(OPERATOR_EMAIL);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill(OPERATOR_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(page.getByTestId("operator-email")).toHaveText(OPERATOR_EMAIL);
  await expect(page.getByRole("heading", { name: "Campaigns" })).toBeVisible();
  // 401 responses of the wrong password are the page's answer, not a console error.
  expect(errors.filter((error) => !error.includes("401"))).toEqual([]);
});

test("the session cookie is HttpOnly and SameSite=Strict; the CSRF cookie is readable for the app", async ({
  page,
  context,
}) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(OPERATOR_EMAIL);
  await page.getByLabel("Password").fill(OPERATOR_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("operator-email")).toBeVisible();

  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name === "reach_session");
  const csrf = cookies.find((cookie) => cookie.name === "reach_csrf");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Strict");
  expect(csrf?.httpOnly).toBe(false);
  // The app's own script cannot see the session token.
  expect(await page.evaluate(() => document.cookie)).not.toContain("reach_session");

  // With the session cookie but without the CSRF header, an unsafe call is refused.
  const forged = await page.request.post("/api/segments", {
    data: { name: "forged", filter: { match: "all", conditions: [] } },
  });
  expect(forged.status()).toBe(403);
});

test("sign out ends the session: the app returns to sign-in and the API answers 401", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(OPERATOR_EMAIL);
  await page.getByLabel("Password").fill(OPERATOR_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("operator-email")).toBeVisible();
  expect((await page.request.get("/api/campaigns")).status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.request.get("/api/campaigns")).status()).toBe(401);
  await page.goto("/segments");
  await expect(page).toHaveURL(/\/login\?next=%2Fsegments$/);
});
