import { expect, test as setup } from "@playwright/test";
import { AUTH_FILE, OPERATOR_EMAIL, OPERATOR_PASSWORD } from "./operator";

/** Signs in once through the real sign-in page; every signed-in test reuses this browser state. */
setup("sign in as the operator", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(OPERATOR_EMAIL);
  await page.getByLabel("Password").fill(OPERATOR_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("operator-email")).toHaveText(OPERATOR_EMAIL);
  await page.context().storageState({ path: AUTH_FILE });
});
