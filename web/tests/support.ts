import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type APIRequestContext, type APIResponse, test as base, type Page } from "@playwright/test";
import { AUTH_FILE } from "./operator";

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where each page's screenshot goes (web/test-results is git-ignored). */
export function screenshotPath(name: string): string {
  return path.join(web, "test-results", "screenshots", `${name}.png`);
}

/** A short token that makes this run's records unique in the shared test database. */
export function uniqueToken(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Collects console errors and uncaught exceptions from the moment it is called. */
export function collectBrowserErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  return errors;
}

/**
 * POSTs JSON, retrying a 503 (the CRM answers 503 + Retry-After when SQLite is momentarily
 * locked by its own background writers).
 */
export async function postJson(request: APIRequestContext, url: string, data: unknown): Promise<APIResponse> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await request.post(url, { data });
    if (response.status() !== 503 || attempt >= 4) return response;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Sends one of the copilot's suggested goals by clicking its chip. */
export async function clickGoalChip(page: Page, goal: string): Promise<void> {
  await page.getByRole("group", { name: "Suggested goals" }).getByRole("button", { name: goal, exact: true }).click();
}

/** The signed-in operator's CSRF token, from the saved browser state (its `reach_csrf` cookie). */
export function csrfToken(): string {
  const state = JSON.parse(readFileSync(AUTH_FILE, "utf8")) as { cookies: { name: string; value: string }[] };
  return state.cookies.find((cookie) => cookie.name === "reach_csrf")?.value ?? "";
}

/** Headers for an unsafe call through `page.request` (which shares the page's session cookie). */
export function csrfHeaders(): Record<string, string> {
  return { "X-CSRF-Token": csrfToken() };
}

/**
 * `test` whose `request` fixture is signed in as the operator (the saved session cookie) and sends
 * the CSRF token, so tests can arrange data through the API.
 */
export const test = base.extend({
  request: async ({ playwright, baseURL }, use) => {
    const request = await playwright.request.newContext({
      baseURL,
      storageState: AUTH_FILE,
      extraHTTPHeaders: csrfHeaders(),
    });
    await use(request);
    await request.dispose();
  },
});
