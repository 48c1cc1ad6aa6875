import { rmSync } from "node:fs";

/** Removes the temporary SQLite database (and its WAL files) the CRM ran on. */
export default function globalTeardown(): void {
  const db = process.env.REACH_WEB_TEST_DB;
  if (!db) return;
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${db}${suffix}`, { force: true });
}
