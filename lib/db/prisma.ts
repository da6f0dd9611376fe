import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { getConfig } from "@/lib/config";
import { serialAdapter } from "@/lib/db/serial-adapter";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { processGlobals } from "@/lib/process-globals";

function createPrisma() {
  const adapter = serialAdapter(new PrismaBetterSQLite3({ url: getConfig().databaseUrl, timeout: 10_000 }));
  return new PrismaClient({ adapter });
}

/** One PrismaClient per process: server/ and Next's bundle share it through globalThis. */
export function getPrisma(): PrismaClient {
  processGlobals.warrenPrisma ??= createPrisma();
  return processGlobals.warrenPrisma;
}

export async function disconnectPrisma() {
  await processGlobals.warrenPrisma?.$disconnect();
  processGlobals.warrenPrisma = undefined;
}
