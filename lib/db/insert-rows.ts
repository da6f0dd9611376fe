// Multi-row INSERTs for the writes that come in thousands: the engine's
// commit of a busy second (connection rows and their audit records), and the
// pages `db copy` writes into another database. Prisma's
// createMany runs every row through its query compiler, and a raw INSERT with
// a parameter per value still has the compiler take every value through
// WebAssembly: under load that starves the main thread. The rows go as one
// JSON parameter that the database itself takes apart (SQLite's json_each,
// PostgreSQL's json_populate_recordset); what it bought is in
// docs/performance.md, "Tunings".
import type { DatabaseConfig } from "@/lib/config";
import { databaseProvider } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";

/** What the driver adapter writes for a Date (@prisma/adapter-better-sqlite3, its default "iso8601"), so these rows read back like Prisma's own. */
const sqliteDate = (date: Date) => date.toISOString().replace("Z", "+00:00");

const jsonValue = (value: unknown) => (value instanceof Date ? sqliteDate(value) : typeof value === "bigint" ? String(value) : (value ?? null));

/** `provider`: the database `tx` writes to, when not this process's own (`db copy`'s target). */
export async function insertRows<Row extends object>(
  tx: Prisma.TransactionClient,
  table: string,
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
  provider: DatabaseConfig["provider"] = databaseProvider(),
) {
  if (rows.length === 0) return;
  const names = columns.map((column) => `"${column}"`).join(", ");
  if (provider === "postgresql") {
    // Timestamps are stored without a zone, in UTC: the ISO text's "Z" is read as just that.
    const json = JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((column) => [column, jsonValue(row[column])]))));
    await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${names}) SELECT ${names} FROM json_populate_recordset(NULL::"${table}", $1::json)`, json);
    return;
  }
  const values = columns.map((_, index) => `json_extract("value", '$[${index}]')`).join(", ");
  const json = JSON.stringify(rows.map((row) => columns.map((column) => jsonValue(row[column]))));
  await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${names}) SELECT ${values} FROM json_each(?)`, json);
}
