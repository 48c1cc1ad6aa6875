import path from "node:path";
import { fileURLToPath } from "node:url";
import type { APIRequestContext, APIResponse, Page } from "@playwright/test";

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
