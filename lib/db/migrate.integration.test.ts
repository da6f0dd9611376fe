import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { listMigrations, migrate, MIGRATIONS_DIR } from "@/lib/db/migrate";

const scratch = () => mkdtempSync(path.join(os.tmpdir(), "warren-migrate-"));

describe("migrate", () => {
  it("applies every migration once and records it the way Prisma does", () => {
    const file = path.join(scratch(), "warren.db");
    const names = listMigrations().map((migration) => migration.name);
    expect(migrate(file)).toEqual(names);
    expect(migrate(file)).toEqual([]);

    const db = new Database(file, { readonly: true });
    const rows = db.prepare(`SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`).all() as {
      migration_name: string;
      checksum: string;
      finished_at: string | null;
    }[];
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
    db.close();
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    const first = listMigrations()[0]!;
    expect(rows[0]?.checksum).toBe(createHash("sha256").update(first.sql).digest("hex"));
    expect(rows.every((row) => row.finished_at)).toBe(true);
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(["User", "ApiToken", "AuthSession"]));
  });

  it("refuses to run when an applied migration was edited afterwards", () => {
    const dir = scratch();
    const migrations = path.join(dir, "migrations");
    cpSync(MIGRATIONS_DIR, migrations, { recursive: true });
    const file = path.join(dir, "warren.db");
    migrate(file, migrations);
    const first = listMigrations(migrations)[0]!;
    writeFileSync(path.join(migrations, first.name, "migration.sql"), `${first.sql}\n-- edited\n`);
    expect(() => migrate(file, migrations)).toThrow(`migration ${first.name} was changed after it was applied`);
  });

  it("rolls a failing migration back whole and records nothing for it", () => {
    const dir = scratch();
    const migrations = path.join(dir, "migrations");
    cpSync(MIGRATIONS_DIR, migrations, { recursive: true });
    const broken = path.join(migrations, "99999999999999_broken");
    cpSync(path.join(migrations, listMigrations(migrations)[0]!.name), broken, { recursive: true });
    writeFileSync(path.join(broken, "migration.sql"), `CREATE TABLE "Half" ("id" TEXT);\nTHIS IS NOT SQL;`);
    const file = path.join(dir, "warren.db");
    expect(() => migrate(file, migrations)).toThrow();
    const db = new Database(file, { readonly: true });
    const half = db.prepare(`SELECT name FROM sqlite_master WHERE name = 'Half'`).get();
    const recorded = db.prepare(`SELECT migration_name FROM _prisma_migrations WHERE migration_name LIKE '%broken'`).get();
    db.close();
    expect(half).toBeUndefined();
    expect(recorded).toBeUndefined();
  });
});
