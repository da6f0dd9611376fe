// Applies the migrations for Warren's database (prisma/migrations for SQLite,
// prisma/postgresql/migrations for PostgreSQL) and records each one in
// Prisma's own `_prisma_migrations` table (same columns, same SHA-256
// checksum), so `prisma migrate deploy` accepts the database later.
// Hand-written because the Prisma CLI is a heavy thing to run at every start,
// and its WebAssembly engine cannot apply migrations to PostgreSQL at all
// (see docs/architecture.md, "Data"); one runner serves both.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { DatabaseConfig } from "@/lib/config";
import { ADVISORY_LOCK } from "@/lib/db/advisory-locks";

const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const POSTGRESQL_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

const APPLIED = `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");
export const POSTGRESQL_MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/postgresql/migrations");

export const migrationsDirFor = (provider: DatabaseConfig["provider"]) => (provider === "sqlite" ? MIGRATIONS_DIR : POSTGRESQL_MIGRATIONS_DIR);

type Migration = { name: string; sql: string; checksum: string };

/** A database this code must not migrate: an applied migration edited, or one this code does not have. */
export class MigrationError extends Error {}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** The migrations in `dir` not yet applied; throws if an applied one was edited
 *  since, or if the database has one this code lacks: newer code applied it,
 *  and this code would misread (or break) what that code wrote. */
function pendingMigrations(dir: string, rows: unknown[], where: string): Migration[] {
  const applied = new Map(
    rows.map((row) => {
      const { migration_name, checksum } = row as { migration_name: string; checksum: string };
      return [migration_name, checksum];
    }),
  );
  const known = listMigrations(dir);
  const unknown = [...applied.keys()].filter((name) => !known.some((migration) => migration.name === name)).sort();
  if (unknown.length) {
    throw new MigrationError(
      `the database at ${where} is newer than this Warren: it has migration ${unknown.join(", ")}, which this code does not have. Run the Warren version that applied it (or a newer one), or restore a backup taken before the upgrade (docs/operations.md)`,
    );
  }
  return known.filter((migration) => {
    const checksum = applied.get(migration.name);
    if (checksum && checksum !== migration.checksum) throw new MigrationError(`migration ${migration.name} was changed after it was applied to ${where}`);
    return !checksum;
  });
}

/** Brings the database up to date; answers the names of the migrations it applied. */
export async function migrate(database: DatabaseConfig, dir = migrationsDirFor(database.provider)): Promise<string[]> {
  return database.provider === "sqlite" ? migrateSqlite(database.file, dir) : migratePostgresql(database.url, dir);
}

function migrateSqlite(databaseFile: string, dir: string): string[] {
  const db = new Database(databaseFile);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(SQLITE_MIGRATIONS_TABLE);
    const pending = pendingMigrations(dir, db.prepare(APPLIED).all(), databaseFile);
    const record = db.prepare(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, ?, ?, 1)`);
    for (const migration of pending) {
      db.transaction(() => {
        db.exec(migration.sql);
        record.run(randomUUID(), migration.checksum, new Date().toISOString(), migration.name);
      })();
    }
    return pending.map((migration) => migration.name);
  } finally {
    db.close();
  }
}

/** Where a PostgreSQL URL points, without its password, for messages. */
export function describePostgresql(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || parsed.searchParams.get("host")}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
}

// One connection of its own (not a pool), so the session-level lock that lets
// nodes starting together migrate one at a time is held by this client alone.
async function migratePostgresql(url: string, dir: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK.migrate]);
    await client.query(POSTGRESQL_MIGRATIONS_TABLE);
    const pending = pendingMigrations(dir, (await client.query(APPLIED)).rows, describePostgresql(url));
    for (const migration of pending) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`, [
          randomUUID(),
          migration.checksum,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
    return pending.map((migration) => migration.name);
  } finally {
    await client.end();
  }
}
