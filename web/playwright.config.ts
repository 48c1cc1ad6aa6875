import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import { AUTH_FILE, OPERATOR_EMAIL, OPERATOR_PASSWORD } from "./tests/operator";

/**
 * Runs against the real services: the channel service on 18001 and the CRM on 18000 (or
 * REACH_WEB_TEST_PORT + 1 and REACH_WEB_TEST_PORT), which
 * serves the built app (web/dist) from a freshly seeded temporary SQLite database.
 */
const web = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(web, "..");
const python = path.join(repo, ".venv/bin/python");

// Set once in the runner process; the workers inherit it, so everyone agrees on the file.
process.env.REACH_WEB_TEST_DB ??= `/tmp/reach-web-test-${process.pid}-${Date.now()}.db`;
const databaseUrl = `sqlite+aiosqlite:///${process.env.REACH_WEB_TEST_DB}`;

// REACH_WEB_TEST_PORT moves both services (CRM on it, the channel service on it + 1), so two
// checkouts can run their browser tests side by side.
const PORT = Number(process.env.REACH_WEB_TEST_PORT ?? "18000");
const CRM = `http://127.0.0.1:${PORT}`;
// Simulated seconds per real second, for both services: "2 days" of receipts or sequence delay
// plays in seconds.
const SIM_TIME_SCALE = "20000";
const CHANNEL = `http://127.0.0.1:${PORT + 1}`;

export default defineConfig({
  testDir: "tests",
  outputDir: "test-results/artifacts",
  globalTeardown: "./tests/global-teardown.ts",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  use: {
    baseURL: CRM,
    headless: true,
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    viewport: { width: 1360, height: 900 },
    trace: "off",
    screenshot: "only-on-failure",
  },
  projects: [
    // Signs in once through the real sign-in page and saves the browser state.
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    {
      name: "app",
      testIgnore: [/auth\.setup\.ts$/, /signin\.spec\.ts$/, /account\.spec\.ts$/],
      dependencies: ["setup"],
      use: { storageState: AUTH_FILE },
    },
    // Signed-out flows (own sessions; the saved one stays valid).
    { name: "signin", testMatch: /signin\.spec\.ts$/, dependencies: ["app"] },
    // Last: changes the operator's password.
    { name: "account", testMatch: /account\.spec\.ts$/, dependencies: ["signin"], use: { storageState: AUTH_FILE } },
  ],
  webServer: [
    {
      command: `"${python}" -m uvicorn channel_service.main:app --host 127.0.0.1 --port ${PORT + 1}`,
      cwd: repo,
      url: `${CHANNEL}/health`,
      env: { SIM_TIME_SCALE },
      reuseExistingServer: false,
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
      timeout: 60_000,
    },
    {
      // Seed, create the operator the tests sign in as, then serve.
      command: [
        `"${python}" -m crm.seed --customers 300`,
        `"${python}" -m crm.auth.cli ensure-admin --email ${OPERATOR_EMAIL} --password ${OPERATOR_PASSWORD}`,
        `exec "${python}" -m uvicorn crm.main:app --host 127.0.0.1 --port ${PORT}`,
      ].join(" && "),
      cwd: repo,
      url: `${CRM}/api/health`,
      env: {
        DATABASE_URL: databaseUrl,
        CHANNEL_SERVICE_URL: CHANNEL,
        CRM_PUBLIC_URL: CRM,
        SIM_TIME_SCALE,
        // No quiet hours and no frequency cap, so nothing a test sends is deferred.
        QUIET_HOURS: "",
        FREQUENCY_CAP: "0",
        LLM_PROVIDER: "offline",
        WEB_DIST_DIR: path.join(web, "dist"),
      },
      reuseExistingServer: false,
      gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
      timeout: 120_000,
    },
  ],
});
