// Multi-row INSERTs for the writes that come in thousands: the engine's
// commit of a busy second (connection rows and their audit records). Prisma's
// createMany runs every row through its query compiler; under the load bench
// (about 1,400 connections a second) that was most of the main thread's time,
// and health checks queued behind it. A raw INSERT with a parameter per value
// still had the compiler take every value through WebAssembly (a fifth of a
// commit's time): the rows go as one JSON parameter that SQLite itself takes
// apart (json_each).
import type { Prisma } from "@/lib/generated/prisma/client";

/** What the driver adapter writes for a Date (@prisma/adapter-better-sqlite3, its default "iso8601"), so these rows read back like Prisma's own. */
const sqliteDate = (date: Date) => date.toISOString().replace("Z", "+00:00");

const jsonValue = (value: unknown) => (value instanceof Date ? sqliteDate(value) : typeof value === "bigint" ? String(value) : (value ?? null));

export async function insertRows<Row extends object>(tx: Prisma.TransactionClient, table: string, columns: readonly (keyof Row & string)[], rows: readonly Row[]) {
  if (rows.length === 0) return;
  const values = columns.map((_, index) => `json_extract("value", '$[${index}]')`).join(", ");
  const json = JSON.stringify(rows.map((row) => columns.map((column) => jsonValue(row[column]))));
  await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) SELECT ${values} FROM json_each(?)`, json);
}
