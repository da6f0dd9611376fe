// Points this test process at a fresh, migrated database (SQLite in a temp
// data dir, or PostgreSQL under WARREN_TEST_POSTGRESQL: see postgresql.ts),
// for integration tests that call lib/ functions in-process.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { migrate } from "@/lib/db/migrate";
import { disconnectPrisma } from "@/lib/db/prisma";
import { processGlobals } from "@/lib/process-globals";
import { databaseEnvFor } from "./postgresql";

export async function useTestDatabase() {
  await disconnectPrisma();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "warren-db-"));
  process.env.WARREN_DATA_DIR = dataDir;
  for (const setting of ["DATABASE_URL", "WARREN_SECRET_KEY", "AUTH_SECRET"]) delete process.env[setting];
  Object.assign(process.env, await databaseEnvFor(dataDir));
  processGlobals.warrenConfig = undefined;
  await migrate(getConfig().database);
  return {
    dataDir,
    async dispose() {
      await disconnectPrisma();
      processGlobals.warrenConfig = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
