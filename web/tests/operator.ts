import path from "node:path";
import { fileURLToPath } from "node:url";

/** The operator the test CRM is created with (`crm.auth.cli ensure-admin`, after seeding). */
export const OPERATOR_EMAIL = "admin@sugar.local";
export const OPERATOR_PASSWORD = "install-time-password-1";

/** Where the signed-in browser state (session + CSRF cookies) is saved once and reused. */
export const AUTH_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "test-results",
  ".auth",
  "operator.json",
);
