import { expect } from "@playwright/test";
import { OPERATOR_EMAIL, OPERATOR_PASSWORD } from "./operator";
import { collectBrowserErrors, screenshotPath, test } from "./support";

// Runs last (it changes the operator's password), signed in with the saved session.

test("an API token made on the account page works as a bearer token until it is revoked", async ({
  page,
  playwright,
  baseURL,
}) => {
  const errors = collectBrowserErrors(page);
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Account" })).toBeVisible();
  const tokens = page.getByTestId("api-tokens");
  await tokens.getByLabel("Token name").fill("nightly export");
  await tokens.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("new-token-value").innerText()).trim();
  expect(secret.length).toBeGreaterThan(20);
  await page.screenshot({ path: screenshotPath("account"), fullPage: true });

  // A script with only the token (no cookies, no CSRF header) is the operator.
  const script = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${secret}` },
  });
  const me = await script.get("/api/auth/me");
  expect(me.status()).toBe(200);
  expect(((await me.json()) as { email: string }).email).toBe(OPERATOR_EMAIL);
  const segment = await script.post("/api/segments", {
    data: { name: `From a script ${Date.now()}`, filter: { match: "all", conditions: [] } },
  });
  expect(segment.status()).toBe(201);

  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await tokens.getByRole("button", { name: "Revoke nightly export" }).first().click();
  await expect(tokens.getByText(/revoked/).first()).toBeVisible();
  expect((await script.get("/api/auth/me")).status()).toBe(401);
  await script.dispose();
  expect(errors).toEqual([]);
});

test("changing the password: the old one stops working, the new one signs in, the banner goes", async ({
  page,
  browser,
}) => {
  await page.goto("/account");
  await expect(page.getByTestId("default-password-banner")).toBeVisible();
  const form = page.getByTestId("password-form");
  const newPassword = "a-better-password-2026";

  await form.getByLabel("Current password", { exact: true }).fill(OPERATOR_PASSWORD);
  await form.getByLabel(/^New password/).fill(newPassword);
  await form.getByLabel("Repeat the new password").fill("something-else-entirely");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("alert")).toHaveText("The two new passwords differ.");

  await form.getByLabel("Current password", { exact: true }).fill("not-the-current-one");
  await form.getByLabel("Repeat the new password").fill(newPassword);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("alert")).toContainText("current password is wrong");

  await form.getByLabel("Current password", { exact: true }).fill(OPERATOR_PASSWORD);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByTestId("password-changed")).toBeVisible();
  await expect(page.getByTestId("default-password-banner")).toHaveCount(0);

  // A fresh browser: the old password is refused, the new one signs in.
  const fresh = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const other = await fresh.newPage();
  await other.goto("/login");
  await other.getByLabel("Email").fill(OPERATOR_EMAIL);
  await other.getByLabel("Password").fill(OPERATOR_PASSWORD);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByRole("alert")).toBeVisible();
  await other.getByLabel("Password").fill(newPassword);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByTestId("operator-email")).toHaveText(OPERATOR_EMAIL);
  await fresh.close();
});
