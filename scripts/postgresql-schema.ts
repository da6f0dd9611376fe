// The PostgreSQL schema is prisma/schema.prisma with another datasource and
// client output: Prisma cannot switch a schema's provider at run time, so
// Warren generates a second client from the same model. `npm run
// db:migration` writes prisma/postgresql/schema.prisma from here; a unit test
// checks it was.
import { readFileSync, writeFileSync } from "node:fs";

export const SQLITE_SCHEMA = "prisma/schema.prisma";
export const POSTGRESQL_SCHEMA = "prisma/postgresql/schema.prisma";

const HEADER = `// GENERATED from ../schema.prisma by scripts/postgresql-schema.ts (npm run db:migration
// rewrites it): edit the model there. The PostgreSQL client and migrations come from this file.
`;

/** The PostgreSQL twin of the SQLite schema text. */
export function postgresqlSchema(sqlite: string): string {
  const replaced = sqlite
    .replace('output       = "../lib/generated/prisma"', 'output       = "../../lib/generated/prisma-postgresql"')
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace(/url\s+= "file:[^"]*"/, 'url      = "postgresql://unused"');
  if (!replaced.includes('"postgresql"') || !replaced.includes("prisma-postgresql")) {
    throw new Error(`${SQLITE_SCHEMA}: its generator output or datasource changed; update scripts/postgresql-schema.ts`);
  }
  return HEADER + replaced;
}

export function writePostgresqlSchema() {
  writeFileSync(POSTGRESQL_SCHEMA, postgresqlSchema(readFileSync(SQLITE_SCHEMA, "utf8")));
}
