// `npm run bench:audit`: on each database (SQLite, then PostgreSQL), seeds
// 1,000,000 sealed audit records into a fresh database, then times each common
// filter (p50/p95 over repeated page loads, through the same searchAudit() the
// API uses) and a full export, and checks them against the targets: p95 under
// 50 ms a page, export at 50,000 rows a second or more. PostgreSQL is a
// throwaway server of the test harness's (tests/harness/postgresql.ts), with
// its durability settings on. A benchmark, not a test: it prints figures and
// asserts nothing.
//
// `npm run bench:audit -- postgresql` (or BENCH_AUDIT_DATABASES=sqlite) runs
// one; BENCH_AUDIT_EVENTS and BENCH_AUDIT_RUNS shrink it for a quick look.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { auditKey, GENESIS_HASH, type SealedAuditRecord, sealRecord } from "@/lib/audit/audit-chain";
import { AUDIT_COLUMNS } from "@/lib/audit/audit-log";
import { exportAudit, searchAudit } from "@/lib/audit/audit-query";
import { getConfig } from "@/lib/config";
import { systemCtx } from "@/lib/context";
import { migrate } from "@/lib/db/migrate";
import { disconnectPrisma } from "@/lib/db/prisma";
import { processGlobals } from "@/lib/process-globals";
import { auditExportSchema, auditQuerySchema } from "@/lib/validation/audit";
import { type PostgresqlHandle, startPostgresql } from "@/tests/harness/postgresql";

type Kind = "sqlite" | "postgresql";
const NAMES: Record<Kind, string> = { sqlite: "SQLite", postgresql: "PostgreSQL" };

const TOTAL = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 40);
const KINDS = (process.argv[2] ?? process.env.BENCH_AUDIT_DATABASES ?? "sqlite,postgresql").split(",").map((kind) => kind.trim()) as Kind[];
for (const kind of KINDS) if (!(kind in NAMES)) throw new Error(`unknown database ${kind}: sqlite or postgresql`);

const PAGE_TARGET_MS = 50;
const EXPORT_TARGET = 50_000;
const ACTIONS = ["connection.accepted", "connection.closed", "tunnel.requested", "tunnel.opened", "tunnel.closed", "auth.sign_in", "host.updated"];
const USERS = 200;
const HOSTS = 50;
const TUNNELS = 20_000;
const START = Date.UTC(2026, 0, 1);
const SPAN_MS = 300 * 86_400_000; // ten months of history

/** The bench's records, 1 to TOTAL, sealed into one chain, in batches of `size`. */
function* sealedBatches(size: number): Generator<SealedAuditRecord[]> {
  const key = auditKey(getConfig().secretKey);
  let prev = GENESIS_HASH;
  for (let from = 1; from <= TOTAL; from += size) {
    const batch: SealedAuditRecord[] = [];
    for (let seq = from; seq < Math.min(TOTAL + 1, from + size); seq++) {
      const user = seq % USERS;
      const tunnel = seq % TUNNELS;
      const record = sealRecord(
        {
          seq,
          at: new Date(START + Math.floor((seq / TOTAL) * SPAN_MS)),
          actorType: seq % 3 === 0 ? "system" : "user",
          actorId: seq % 3 === 0 ? null : `user${user}`,
          actorEmail: seq % 3 === 0 ? null : `user${user}@example.com`,
          actorIp: `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`,
          userAgent: null,
          action: ACTIONS[seq % ACTIONS.length]!,
          hostId: `host${tunnel % HOSTS}`,
          tunnelId: `tunnel${tunnel}`,
          subjectId: null,
          details: JSON.stringify({
            source: `10.0.${seq % 250}.${seq % 7}:${40000 + (seq % 20000)}`,
            bytesIn: seq * 17,
            reason: seq % 200_003 === 0 ? "needle in the haystack" : null,
          }),
        },
        prev,
        key,
      );
      batch.push(record);
      prev = record.hash;
    }
    yield batch;
  }
}

/** Straight into the file with better-sqlite3 (the FTS table fills from its trigger). */
function seedSqlite(file: string) {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const insert = db.prepare(
    `INSERT INTO AuditEvent (seq, at, actorType, actorId, actorEmail, actorIp, userAgent, action, hostId, tunnelId, subjectId, details, prevHash, hash)
     VALUES (@seq, @at, @actorType, @actorId, @actorEmail, @actorIp, @userAgent, @action, @hostId, @tunnelId, @subjectId, @details, @prevHash, @hash)`,
  );
  // Prisma's SQLite adapter stores DateTime as ISO 8601 text.
  const write = db.transaction((batch: SealedAuditRecord[]) => {
    for (const record of batch) insert.run({ ...record, at: record.at.toISOString() });
  });
  for (const batch of sealedBatches(50_000)) write(batch);
  db.pragma("optimize");
  db.close();
}

/** Batches of 10,000 rows, each one INSERT with the rows as one JSON parameter
 *  (lib/db/insert-rows.ts's way), into the migrated table with its indexes;
 *  then VACUUM ANALYZE, as autovacuum would have done to a table this old. */
async function seedPostgresql(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const names = AUDIT_COLUMNS.map((column) => `"${column}"`).join(", ");
    const insert = `INSERT INTO "AuditEvent" (${names}) SELECT ${names} FROM json_populate_recordset(NULL::"AuditEvent", $1::json)`;
    // Timestamps are stored without a zone, in UTC: the ISO text's "Z" is read as just that.
    for (const batch of sealedBatches(10_000)) await client.query(insert, [JSON.stringify(batch)]);
    await client.query(`VACUUM ANALYZE "AuditEvent"`);
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(run: () => Promise<unknown>) {
  const samples: number[] = [];
  await run(); // warm the page cache and the query plan
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

const verdict = (holds: boolean) => (holds ? "PASS" : "MISS");

const mid = new Date(START + SPAN_MS / 2);
const weekLater = new Date(mid.getTime() + 7 * 86_400_000);
const FILTERS: [string, Record<string, unknown>][] = [
  ["newest page, no filter", {}],
  ["page 20 deep (cursor)", { cursor: TOTAL - 20 * 50 }],
  ["actor (email)", { actor: "user42@example.com" }],
  ["action prefix tunnel.*", { action: "tunnel.*" }],
  ["exact action", { action: "auth.sign_in" }],
  ["host", { hostId: "host7" }],
  ["tunnel", { tunnelId: "tunnel1234" }],
  ["host this week (host + time range)", { hostId: "host7", from: mid.toISOString(), to: weekLater.toISOString() }],
  ["user's tunnels (actor + action prefix)", { actor: "user42@example.com", action: "tunnel.*" }],
  ["time range (one week)", { from: mid.toISOString(), to: weekLater.toISOString() }],
  ["free text, frequent", { q: "10.0.5." }],
  ["free text, rare", { q: "needle in the haystack" }],
];

type Result = { kind: Kind; version: string; pages: { p50: number; p95: number }[]; exportRows: number; exportSeconds: number };

/** Seeds `kind`'s database (a fresh one), times the filters and the export, printing as it goes. */
async function bench(kind: Kind, postgresql: PostgresqlHandle | undefined): Promise<Result> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "warren-audit-bench-"));
  const env = { ...process.env };
  // Point this process at the database, as tests/harness/test-database.ts does.
  await disconnectPrisma();
  processGlobals.warrenConfig = undefined;
  process.env.WARREN_DATA_DIR = dir;
  delete process.env.DATABASE_URL;
  if (postgresql) {
    process.env.DATABASE_URL = await postgresql.database("warren_audit_bench");
    // Nodes sharing a PostgreSQL database take their keys from the environment.
    process.env.WARREN_SECRET_KEY = randomBytes(32).toString("hex");
    process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
  }
  try {
    const database = getConfig().database;
    await migrate(database);
    let version: string;
    if (database.provider === "sqlite") {
      const db = new Database(database.file, { readonly: true });
      version = `SQLite ${(db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v}`;
      db.close();
    } else {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const settings = await client.query<{ name: string; setting: string }>(
        `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'work_mem', 'effective_cache_size', 'lc_collate') ORDER BY name`,
      );
      const shown = settings.rows.filter((row) => row.name !== "server_version").map((row) => `${row.name}=${row.setting}`);
      version = `PostgreSQL ${settings.rows.find((row) => row.name === "server_version")?.setting}`;
      console.log(`\nPostgreSQL: a throwaway cluster of tests/harness/postgresql.ts, durable, otherwise its defaults: ${shown.join(", ")}.`);
      await client.end();
    }
    console.log(`\n## ${version}\n`);

    let started = performance.now();
    if (database.provider === "sqlite") seedSqlite(database.file);
    else await seedPostgresql(database.url);
    console.log(`seeded ${TOTAL.toLocaleString("en")} sealed records in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const ctx = systemCtx("bench");
    const pages = [];
    console.log(`\n| filter (50 per page) | p50 ms | p95 ms | target p95 < ${PAGE_TARGET_MS} ms |\n|---|---|---|---|`);
    for (const [name, input] of FILTERS) {
      const { p50, p95 } = await time(() => searchAudit({ ctx, input: auditQuerySchema.parse(input) }));
      pages.push({ p50, p95 });
      console.log(`| ${name} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${verdict(p95 < PAGE_TARGET_MS)} |`);
    }

    started = performance.now();
    let exportRows = 0;
    const reader = exportAudit({ ctx, input: auditExportSchema.parse({ format: "jsonl" }) }).stream.getReader();
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) exportRows += decoder.decode(chunk.value).split("\n").length - 1;
    const exportSeconds = (performance.now() - started) / 1000;
    const rate = exportRows / exportSeconds;
    console.log(
      `\nexport (JSON lines): ${exportRows.toLocaleString("en")} rows in ${exportSeconds.toFixed(1)} s = ${Math.round(rate).toLocaleString("en")} rows/s (target ≥ ${EXPORT_TARGET.toLocaleString("en")}: ${verdict(rate >= EXPORT_TARGET)})`,
    );
    return { kind, version, pages, exportRows, exportSeconds };
  } finally {
    await disconnectPrisma();
    processGlobals.warrenConfig = undefined;
    for (const name of ["WARREN_DATA_DIR", "DATABASE_URL", "WARREN_SECRET_KEY", "AUTH_SECRET"]) {
      if (env[name] === undefined) delete process.env[name];
      else process.env[name] = env[name];
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both databases side by side, and whether every target holds on each. */
function summary(results: Result[]) {
  const head = results.map((result) => `${NAMES[result.kind]} p50 | ${NAMES[result.kind]} p95`).join(" | ");
  console.log(`\n## Side by side (${TOTAL.toLocaleString("en")} records)\n`);
  console.log(`| filter (50 per page) | ${head} | p95 < ${PAGE_TARGET_MS} ms |\n|---|${results.map(() => "---|---|").join("")}---|`);
  FILTERS.forEach(([name], index) => {
    const cells = results.map((result) => `${result.pages[index]!.p50.toFixed(1)} | ${result.pages[index]!.p95.toFixed(1)}`).join(" | ");
    console.log(`| ${name} | ${cells} | ${results.map((result) => verdict(result.pages[index]!.p95 < PAGE_TARGET_MS)).join(" / ")} |`);
  });
  const rates = results.map((result) => result.exportRows / result.exportSeconds);
  console.log(
    `| export (JSON lines), rows/s | ${rates.map((rate) => `${Math.round(rate).toLocaleString("en")} | `).join(" | ")} | ≥ ${EXPORT_TARGET.toLocaleString("en")}: ${rates.map((rate) => verdict(rate >= EXPORT_TARGET)).join(" / ")} |`,
  );
  console.log(`\nload average at the end: ${loadAverage()}`);
  for (const [index, result] of results.entries()) {
    const misses = FILTERS.filter((_, filter) => result.pages[filter]!.p95 >= PAGE_TARGET_MS).map(([name]) => name);
    if (rates[index]! < EXPORT_TARGET) misses.push("export");
    console.log(`${result.version}: ${misses.length === 0 ? "PASS, every target holds" : `MISS: ${misses.join(", ")}`}`);
  }
}

/** The machine's 1, 5 and 15 minute load averages: other work on it moves every figure here. */
const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(", ");

async function main() {
  const memory = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  console.log(
    `# npm run bench:audit — ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${memory}, Node ${process.version}, load average ${loadAverage()}; ${TOTAL.toLocaleString("en")} records, ${RUNS} timed page loads per filter after one warm-up.`,
  );
  const results: Result[] = [];
  for (const kind of KINDS) {
    if (kind === "sqlite") {
      results.push(await bench(kind, undefined));
      continue;
    }
    // A server of its own, durable as a real one (fsync, synchronous_commit, full_page_writes on); otherwise PostgreSQL's defaults.
    const postgresql = await startPostgresql({ durable: true });
    try {
      results.push(await bench(kind, postgresql));
    } finally {
      await postgresql.dispose();
    }
  }
  summary(results);
}

await main();
