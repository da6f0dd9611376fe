// Points this test process at a fresh, migrated SQLite database in a temp
// data dir, for integration tests that call lib/ functions in-process.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { migrate } from "@/lib/db/migrate";
import { disconnectPrisma } from "@/lib/db/prisma";
import { processGlobals } from "@/lib/process-globals";

export async function useTestDatabase() {
  await disconnectPrisma();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "warren-db-"));
  process.env.WARREN_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  processGlobals.warrenConfig = undefined;
  migrate(getConfig().databaseFile);
  return {
    dataDir,
    async dispose() {
      await disconnectPrisma();
      processGlobals.warrenConfig = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
