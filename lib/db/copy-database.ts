// `warren db copy`: every record of Warren's database (normally SQLite) into a
// new, empty PostgreSQL database, so that Warren started on it with the same
// data directory (its secret key, its audit head anchor) carries on as before.
// The copy changes nothing in the source, so it audits nothing there; nor does
// it add a record to the target, whose chain must stay the source's.
//
// One transaction on each side. The source is read in one read transaction,
// a snapshot: a write meanwhile (a Warren still running) cannot leave the copy
// pointing at rows it lacks. The target is written in one transaction too,
// whatever its size (PostgreSQL takes millions of rows in one), so a copy that
// fails half way leaves nothing behind: the target keeps its empty tables and
// the same command can simply be run again. Batches committed one by one would
// leave part of the data there, and a retry refused as "not empty".
//
// Each table is read in pages of PAGE_ROWS rows ordered by primary key, each
// page continuing after the last one's key (Prisma's cursor), and written as
// one INSERT (insertRows, the page as one JSON parameter): memory holds one
// page, however long the audit trail. Not createMany, which took several
// times as long and twice the memory (docs/performance.md, "db copy").
import type { DatabaseConfig, PostgresqlConfig } from "@/lib/config";
import { COPY_ORDER, type CopiedModel } from "@/lib/db/copy-order";
import { insertRows } from "@/lib/db/insert-rows";
import { describePostgresql, migrate } from "@/lib/db/migrate";
import { openPrisma } from "@/lib/db/prisma";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

const PAGE_ROWS = 1000;

// Both transactions last the whole copy, where Prisma's default (5 s) is made
// for a request; its timer takes at most 2^31-1 ms.
const COPY_TIMEOUT_MS = 24 * 3600_000;

/** A copy refused or failed, with what to do about it: the CLI prints the message alone. */
export class DatabaseCopyError extends Error {}

export type CopiedTable = { model: Prisma.ModelName; rows: number };

type Row = Record<string, unknown>;

/** The part of a model's delegate the copy uses, the same for every model. */
type Delegate = {
  findMany(args: { orderBy: Record<string, "asc">[]; take: number; cursor?: Row; skip?: number }): Promise<Row[]>;
  count(): Promise<number>;
};

const delegate = (client: Prisma.TransactionClient, model: Prisma.ModelName) =>
  client[`${model[0]!.toLowerCase()}${model.slice(1)}` as Uncapitalize<Prisma.ModelName>] as unknown as Delegate;

/** Prisma's cursor at `row`: its key field, or for a compound key the fields under their joined name (teamId_userId). */
const cursorAt = (key: readonly string[], row: Row): Row =>
  key.length === 1 ? { [key[0]!]: row[key[0]!] } : { [key.join("_")]: Object.fromEntries(key.map((field) => [field, row[field]])) };

const rowsOf = (count: number) => `${count.toLocaleString("en-US")} ${count === 1 ? "row" : "rows"}`;

/** A step that failed inside the target's transaction, which rolled back. */
const failed = (step: string, error: unknown) =>
  new DatabaseCopyError(
    `db copy: ${step} failed (${(error as Error).message}); nothing was written to the target, whose tables are still empty: fix the cause and run the copy again`,
  );

/** Copies `from` (read through `source`, its client) into the PostgreSQL database `to`, migrated first;
 *  `copied` hears of each table once its rows are written. Refuses a target that holds any row, and an empty source. */
export async function copyDatabase({
  source,
  from,
  to,
  copied,
}: {
  source: PrismaClient;
  from: DatabaseConfig;
  to: PostgresqlConfig;
  copied: (table: CopiedTable) => void;
}): Promise<void> {
  if (from.provider === "postgresql" && describePostgresql(from.url) === describePostgresql(to.url)) {
    throw new DatabaseCopyError(`db copy: --to is the database Warren uses now (${describePostgresql(to.url)}); copy into a new, empty database`);
  }
  await migrateTarget(to);
  const target = openPrisma(to);
  try {
    await source.$transaction(
      async (read) => {
        // SQLite's transaction reads one snapshot as it is; PostgreSQL's needs telling.
        if (from.provider === "postgresql") await read.$executeRawUnsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        return target.$transaction((write) => copyTables(read, write, { from, copied }), { timeout: COPY_TIMEOUT_MS });
      },
      { timeout: COPY_TIMEOUT_MS },
    );
  } finally {
    await target.$disconnect();
  }
}

async function migrateTarget(to: PostgresqlConfig) {
  try {
    await migrate(to);
  } catch (error) {
    throw new DatabaseCopyError(`db copy: cannot prepare the target ${describePostgresql(to.url)}: ${(error as Error).message}`);
  }
}

async function copyTables(
  read: Prisma.TransactionClient,
  write: Prisma.TransactionClient,
  { from, copied }: { from: DatabaseConfig; copied: (table: CopiedTable) => void },
) {
  // An empty source is most likely not the server's (another WARREN_DATA_DIR: the CLI makes a new database there).
  if (!(await firstRows(read))) {
    const where = from.provider === "sqlite" ? from.file : describePostgresql(from.url);
    throw new DatabaseCopyError(`db copy: the database to copy (${where}) holds no records: run the copy with the server's WARREN_DATA_DIR and DATABASE_URL`);
  }
  // Nothing is overwritten or mixed: a target with any row (an earlier copy, a Warren started on it) is refused.
  const taken = await firstRows(write);
  if (taken)
    throw new DatabaseCopyError(`db copy: the target database is not empty (${taken.model} has ${rowsOf(taken.rows)}); copy into a new, empty database`);
  for (const model of COPY_ORDER) copied(await copyTable(read, write, model));
  await advanceSequences(write);
}

/** The first of Warren's tables in `client`'s database that holds a row, and how many; none if all are empty. */
async function firstRows(client: Prisma.TransactionClient): Promise<CopiedTable | undefined> {
  for (const { model } of COPY_ORDER) {
    const rows = await delegate(client, model).count();
    if (rows > 0) return { model, rows };
  }
  return undefined;
}

async function copyTable(read: Prisma.TransactionClient, write: Prisma.TransactionClient, { model, key }: CopiedModel): Promise<CopiedTable> {
  const from = delegate(read, model);
  const orderBy = key.map((field) => ({ [field]: "asc" as const }));
  let rows = 0;
  let last: Row | undefined;
  try {
    for (;;) {
      const page = await from.findMany({ orderBy, take: PAGE_ROWS, ...(last && { cursor: cursorAt(key, last), skip: 1 }) });
      // A page holds every scalar field of the model (its columns: the schema maps no names).
      await insertRows(write, model, Object.keys(page[0] ?? {}), page, "postgresql");
      rows += page.length;
      if (page.length < PAGE_ROWS) return { model, rows };
      last = page.at(-1);
    }
  } catch (error) {
    throw failed(`copying ${model}, after ${rowsOf(rows)},`, error);
  }
}

/** Autoincrement ids (AppRequest's) come from a sequence, which rows written with their ids did not
 *  move: each is set to the highest id copied, so the next row gets the one after it. */
async function advanceSequences(write: Prisma.TransactionClient) {
  try {
    const serials = await write.$queryRawUnsafe<{ table: string; column: string }[]>(
      `SELECT table_name::text AS "table", column_name::text AS "column" FROM information_schema.columns
       WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'`,
    );
    // The names come from the catalog (Warren's own tables), so quoting them is enough.
    for (const { table, column } of serials) {
      await write.$queryRawUnsafe(`SELECT setval(pg_get_serial_sequence($1, $2), max("${column}")) FROM "${table}" HAVING count(*) > 0`, `"${table}"`, column);
    }
  } catch (error) {
    throw failed("moving the id sequences past the copied ids", error);
  }
}
