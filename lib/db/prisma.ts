import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { type DatabaseConfig, getConfig } from "@/lib/config";
import { BUSY_TIMEOUT_MS, serialAdapter, TRANSACTION_MAX_WAIT_MS } from "@/lib/db/serial-adapter";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { PrismaClient as PostgresqlPrismaClient } from "@/lib/generated/prisma-postgresql/client";
import { processGlobals } from "@/lib/process-globals";
import { log } from "@/lib/log";

// Connections that fail while idle in the pool (PostgreSQL restarted) emit
// `error` on it; the adapter's own pool has no listener, and an unheard
// `error` ends the process. Queries meanwhile fail and are answered 503.
function postgresqlPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  pool.on("error", (error) => log().error(`a PostgreSQL connection failed (${error.message}); the pool opens another when needed`));
  return pool;
}

// Both generated clients come from one model (prisma/postgresql/schema.prisma
// is derived from prisma/schema.prisma), so the PostgreSQL one has the same
// API; SQLite's type stands for both.
/** A client of its own for `database`, which the caller disconnects (`db copy`'s target); Warren's own is getPrisma(). */
export function openPrisma(database: DatabaseConfig): PrismaClient {
  if (database.provider === "sqlite") {
    return new PrismaClient({
      adapter: serialAdapter(new PrismaBetterSQLite3({ url: database.url, timeout: BUSY_TIMEOUT_MS })),
      transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
    });
  }
  return new PostgresqlPrismaClient({ adapter: new PrismaPg(postgresqlPool(database.url), { disposeExternalPool: true }) }) as unknown as PrismaClient;
}

/** One PrismaClient per process: server/ and Next's bundle share it through globalThis. */
export function getPrisma(): PrismaClient {
  processGlobals.warrenPrisma ??= openPrisma(getConfig().database);
  return processGlobals.warrenPrisma;
}

/** Which database this process writes to: the few raw statements are written for each. */
export const databaseProvider = (): DatabaseConfig["provider"] => getConfig().database.provider;

export async function disconnectPrisma() {
  await processGlobals.warrenPrisma?.$disconnect();
  processGlobals.warrenPrisma = undefined;
}
