import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listMigrations, MIGRATIONS_DIR, POSTGRESQL_MIGRATIONS_DIR } from "@/lib/db/migrate";
import { newestSnapshot, snapshots } from "@/scripts/migration-snapshot";
import { POSTGRESQL_SCHEMA, postgresqlSchema, SQLITE_SCHEMA } from "@/scripts/postgresql-schema";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A migrations folder: each name a migration, `*` after it when it keeps a schema snapshot. */
function migrations(...names: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "warren-migrations-"));
  dirs.push(dir);
  for (const name of names) {
    const folder = path.join(dir, name.replace("*", ""));
    mkdirSync(folder);
    writeFileSync(path.join(folder, "migration.sql"), "SELECT 1;\n");
    if (name.endsWith("*")) writeFileSync(path.join(folder, "schema.prisma"), "// schema\n");
  }
  return dir;
}

describe("the schema snapshot npm run db:migration diffs from", () => {
  it("is the newest migration folder's that has one", () => {
    const dir = migrations("20260101000000_a*", "20260102000000_b*", "20260103000000_c");
    expect(newestSnapshot(dir)).toBe(path.join(dir, "20260102000000_b", "schema.prisma"));
  });

  it("is none before any snapshot exists", () => {
    expect(newestSnapshot(migrations())).toBeUndefined();
    expect(newestSnapshot(migrations("20260101000000_a"))).toBeUndefined();
  });

  it.each([
    [MIGRATIONS_DIR, SQLITE_SCHEMA],
    [POSTGRESQL_MIGRATIONS_DIR, POSTGRESQL_SCHEMA],
  ])("is kept only in the newest migration of %s, and is the schema (no model change lacks its migration)", (dir, schema) => {
    const last = listMigrations(dir).at(-1)!;
    expect(snapshots(dir)).toEqual([path.join(dir, last.name, "schema.prisma")]);
    expect(readFileSync(snapshots(dir)[0]!, "utf8")).toBe(readFileSync(schema, "utf8"));
  });
});

describe("the PostgreSQL schema", () => {
  it("is the SQLite schema with PostgreSQL's datasource and client (npm run db:migration writes it)", () => {
    expect(readFileSync(POSTGRESQL_SCHEMA, "utf8")).toBe(postgresqlSchema(readFileSync(SQLITE_SCHEMA, "utf8")));
  });
});
