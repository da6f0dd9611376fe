// Multi-row INSERTs for the writes that come in thousands: the engine's
// commit of a busy second (connection rows and their audit records). Prisma's
// createMany runs every row through its query compiler; under the load bench
// (about 1,400 connections a second) that was most of the main thread's time,
// and health checks queued behind it. The driver adapter still converts the
// values (Dates to the same text as Prisma's own writes, BigInts).
import type { Prisma } from "@/lib/generated/prisma/client";

/** SQLite's limit of parameters per statement. */
const MAX_PARAMETERS = 32_766;

export async function insertRows<Row extends object>(tx: Prisma.TransactionClient, table: string, columns: readonly (keyof Row & string)[], rows: readonly Row[]) {
  const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
  const into = `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES `;
  const placeholders = `(${columns.map(() => "?").join(", ")})`;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    await tx.$executeRawUnsafe(into + chunk.map(() => placeholders).join(", "), ...chunk.flatMap((row) => columns.map((column) => row[column] ?? null)));
  }
}
