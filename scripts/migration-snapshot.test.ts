import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { newestSnapshot, snapshots } from "@/scripts/migration-snapshot";

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

  it("is kept only in the newest migration of the repository", () => {
    const last = listMigrations(MIGRATIONS_DIR).at(-1)!;
    expect(snapshots(MIGRATIONS_DIR)).toEqual([path.join(MIGRATIONS_DIR, last.name, "schema.prisma")]);
  });
});
