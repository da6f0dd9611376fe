// `npm run db:migration -- <name>`: writes the SQL that takes each database
// (SQLite in prisma/migrations, PostgreSQL in prisma/postgresql/migrations)
// from its last migration to the current prisma/schema.prisma. `prisma
// migrate dev` needs a shadow database that Prisma's WebAssembly engine cannot
// make, so the newest migration folder keeps the schema the migrations end at
// (migration-snapshot.ts) and the new SQL is a schema-to-schema diff, which
// needs no database.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS_DIR, POSTGRESQL_MIGRATIONS_DIR } from "@/lib/db/migrate";
import { newestSnapshot, snapshotIn, snapshots } from "@/scripts/migration-snapshot";
import { POSTGRESQL_SCHEMA, SQLITE_SCHEMA, writePostgresqlSchema } from "@/scripts/postgresql-schema";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name in snake_case>");
  process.exit(2);
}
// The CLI opens its adapter's database (prisma.config.ts) even for a diff: "External error" without its folder.
mkdirSync("data", { recursive: true });
writePostgresqlSchema();
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);

/** Writes `<dir>/<stamp>_<name>/migration.sql` from the newest snapshot in `dir` to `schema`. */
function writeMigration(dir: string, schema: string) {
  const last = newestSnapshot(dir);
  const from = last ? ["--from-schema-datamodel", last] : ["--from-empty"];
  const sql = execFileSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], { encoding: "utf8" });
  if (!/\S/.test(sql.replace(/^--.*$/gm, ""))) {
    console.log(`${path.relative(process.cwd(), dir)}: the schema matches the last migration, nothing to write`);
    return;
  }
  const folder = path.join(dir, `${stamp}_${name}`);
  mkdirSync(folder);
  writeFileSync(path.join(folder, "migration.sql"), sql);
  const older = snapshots(dir);
  copyFileSync(schema, snapshotIn(folder));
  for (const file of older) rmSync(file);
  console.log(`wrote ${path.relative(process.cwd(), folder)}/migration.sql`);
}

writeMigration(MIGRATIONS_DIR, SQLITE_SCHEMA);
writeMigration(POSTGRESQL_MIGRATIONS_DIR, POSTGRESQL_SCHEMA);
