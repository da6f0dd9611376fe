// The migration runner on the database this project runs on (SQLite, or the
// test PostgreSQL server): every migration once, recorded as Prisma records
// it; an edited migration refused, and so is a database a newer Warren
// migrated; a failing one rolled back whole.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DatabaseConfig } from "@/lib/config";
import { listMigrations, MigrationError, migrate, migrationsDirFor } from "@/lib/db/migrate";
import { databaseEnvFor } from "@/tests/harness/postgresql";
import { openRawDatabase, type RawDatabase } from "@/tests/harness/raw-database";

/** A new, empty database and the raw view of it. */
async function scratch(): Promise<{ dir: string; database: DatabaseConfig; raw: () => Promise<RawDatabase> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "warren-migrate-"));
  const env = await databaseEnvFor(dir);
  const file = path.join(dir, "warren.db");
  const database: DatabaseConfig = env.DATABASE_URL ? { provider: "postgresql", url: env.DATABASE_URL } : { provider: "sqlite", url: `file:${file}`, file };
  return { dir, database, raw: () => openRawDatabase({ dataDir: dir, env }) };
}

/** A copy of this database's migrations folder, to edit. */
function copiedMigrations(dir: string, database: DatabaseConfig) {
  const migrations = path.join(dir, "migrations");
  cpSync(migrationsDirFor(database.provider), migrations, { recursive: true });
  return migrations;
}

describe("migrate", () => {
  it("applies every migration once and records it the way Prisma does", async () => {
    const { database, raw } = await scratch();
    const all = listMigrations(migrationsDirFor(database.provider));
    expect(await migrate(database)).toEqual(all.map((migration) => migration.name));
    expect(await migrate(database)).toEqual([]);

    const db = await raw();
    const rows = await db.all<{ migration_name: string; checksum: string; finished_at: unknown }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    const users = await db.get<{ n: unknown }>(`SELECT count(*) AS n FROM "User"`);
    await db.close();
    expect(rows.map((row) => row.migration_name)).toEqual(all.map((migration) => migration.name));
    expect(rows[0]?.checksum).toBe(createHash("sha256").update(all[0]!.sql).digest("hex"));
    expect(rows.every((row) => row.finished_at)).toBe(true);
    expect(Number(users?.n)).toBe(0);
  });

  it("refuses to run when an applied migration was edited afterwards", async () => {
    const { dir, database } = await scratch();
    const migrations = copiedMigrations(dir, database);
    await migrate(database, migrations);
    const first = listMigrations(migrations)[0]!;
    writeFileSync(path.join(migrations, first.name, "migration.sql"), `${first.sql}\n-- edited\n`);
    await expect(migrate(database, migrations)).rejects.toThrow(`migration ${first.name} was changed after it was applied`);
  });

  it("refuses to run on a database a newer Warren migrated, naming the migration it lacks", async () => {
    const { dir, database } = await scratch();
    const newer = copiedMigrations(dir, database);
    const added = path.join(newer, "99999999999999_from_a_newer_warren");
    mkdirSync(added);
    writeFileSync(path.join(added, "migration.sql"), `CREATE TABLE "Newer" ("id" TEXT PRIMARY KEY);`);
    await migrate(database, newer);
    const refused = migrate(database);
    await expect(refused).rejects.toThrow(MigrationError);
    await expect(refused).rejects.toThrow("is newer than this Warren: it has migration 99999999999999_from_a_newer_warren, which this code does not have");
  });

  it("rolls a failing migration back whole and records nothing for it", async () => {
    const { dir, database, raw } = await scratch();
    const migrations = copiedMigrations(dir, database);
    const broken = path.join(migrations, "99999999999999_broken");
    cpSync(path.join(migrations, listMigrations(migrations)[0]!.name), broken, { recursive: true });
    writeFileSync(path.join(broken, "migration.sql"), `CREATE TABLE "Half" ("id" TEXT);\nTHIS IS NOT SQL;`);
    await expect(migrate(database, migrations)).rejects.toThrow();
    const db = await raw();
    const half = await db.get(`SELECT count(*) AS n FROM "Half"`).catch(() => undefined);
    const recorded = await db.get(`SELECT migration_name FROM "_prisma_migrations" WHERE migration_name LIKE '%broken'`);
    await db.close();
    expect(half).toBeUndefined();
    expect(recorded).toBeUndefined();
  });
});
