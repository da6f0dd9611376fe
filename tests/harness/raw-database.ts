// Statements behind Warren's back, on whichever database a test's Warren
// uses: an intruder with database access, a clock moved, a state no API
// makes. SQL is written once with `?` placeholders and quoted identifiers,
// which both databases read alike; booleans and dates go as parameters.
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";

export type RawDatabase = {
  /** Answers how many rows changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
  all<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<Row[]>;
  get<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<Row | undefined>;
  close(): Promise<void>;
};

/** `?`, `?`… as PostgreSQL's `$1`, `$2`… (no test SQL has a `?` inside a string). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

// SQLite stores what Prisma's adapter writes: dates as ISO text, booleans as 0/1.
const sqliteValue = (value: unknown) =>
  value instanceof Date ? value.toISOString().replace("Z", "+00:00") : typeof value === "boolean" ? Number(value) : value;

/** The database of a Warren started on `dataDir` with `env` (a WarrenHandle, or the test process itself). */
export async function openRawDatabase(warren: { dataDir: string; env?: Record<string, string | undefined> }): Promise<RawDatabase> {
  const url = warren.env?.DATABASE_URL ?? "";
  if (/^postgres(ql)?:/.test(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // Timestamps are stored in UTC without a zone: a Date goes as its ISO text, whose "Z" PostgreSQL drops (pg would send local time).
    const query = (sql: string, params: unknown[]) =>
      client.query(
        numbered(sql),
        params.map((value) => (value instanceof Date ? value.toISOString() : value)),
      );
    return {
      run: async (sql, ...params) => (await query(sql, params)).rowCount ?? 0,
      all: async <Row>(sql: string, ...params: unknown[]) => (await query(sql, params)).rows as Row[],
      get: async <Row>(sql: string, ...params: unknown[]) => (await query(sql, params)).rows[0] as Row | undefined,
      close: () => client.end(),
    };
  }
  const db = new Database(url.startsWith("file:") ? url.slice("file:".length) : path.join(warren.dataDir, "warren.db"));
  const values = (params: unknown[]) => params.map(sqliteValue);
  return {
    run: async (sql, ...params) => db.prepare(sql).run(...values(params)).changes,
    all: async <Row>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...values(params)) as Row[],
    get: async <Row>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...values(params)) as Row | undefined,
    close: async () => void db.close(),
  };
}
