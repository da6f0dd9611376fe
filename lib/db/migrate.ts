// Applies prisma/migrations/*/migration.sql to the SQLite database and records
// each one in Prisma's own `_prisma_migrations` table (same columns, same
// SHA-256 checksum), so `prisma migrate deploy` accepts the database later.
// Hand-written because the Prisma CLI is a heavy thing to run at every start,
// and its WebAssembly engine cannot apply migrations to PostgreSQL at all
// (see docs/architecture.md, "Data"); one runner serves both.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

type Migration = { name: string; sql: string; checksum: string };

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

/** Brings the database file up to date; returns the names of the migrations it applied. */
export function migrate(databaseFile: string, dir = MIGRATIONS_DIR): string[] {
  const db = new Database(databaseFile);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(MIGRATIONS_TABLE);
    const applied = new Map(
      db
        .prepare(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
        .all()
        .map((row) => {
          const { migration_name, checksum } = row as { migration_name: string; checksum: string };
          return [migration_name, checksum];
        }),
    );
    const pending = listMigrations(dir).filter((migration) => {
      const checksum = applied.get(migration.name);
      if (checksum && checksum !== migration.checksum) {
        throw new Error(`migration ${migration.name} was changed after it was applied to ${databaseFile}`);
      }
      return !checksum;
    });
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
