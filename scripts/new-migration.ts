// `npm run db:migration -- <name>`: writes the SQL that takes the database
// from the last migration to the current prisma/schema.prisma. `prisma
// migrate dev` needs a shadow database that Prisma's WebAssembly engine cannot
// make, so the newest migration folder keeps the schema the migrations end at
// (migration-snapshot.ts) and the new SQL is a schema-to-schema diff, which
// needs no database.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS_DIR } from "@/lib/db/migrate";
import { newestSnapshot, snapshotIn, snapshots } from "@/scripts/migration-snapshot";

const SCHEMA = "prisma/schema.prisma";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name in snake_case>");
  process.exit(2);
}
// The CLI opens its adapter's database (prisma.config.ts) even for a diff: "External error" without its folder.
mkdirSync("data", { recursive: true });
const last = newestSnapshot(MIGRATIONS_DIR);
const from = last ? ["--from-schema-datamodel", last] : ["--from-empty"];
const sql = execFileSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", SCHEMA, "--script"], { encoding: "utf8" });
if (!/\S/.test(sql.replace(/^--.*$/gm, ""))) {
  console.log("the schema matches the last migration: nothing to write");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
mkdirSync(dir);
writeFileSync(path.join(dir, "migration.sql"), sql);
const older = snapshots(MIGRATIONS_DIR);
copyFileSync(SCHEMA, snapshotIn(dir));
for (const file of older) rmSync(file);
console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
