// `npm run bench:audit`: seeds 1,000,000 sealed audit records into a fresh
// SQLite database, then times each common filter (p50/p95 over repeated
// page loads, through the same searchAudit() the API uses) and a full export.
// A benchmark, not a test: it prints figures and asserts nothing.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { auditKey, GENESIS_HASH, sealRecord } from "@/lib/audit/audit-chain";
import { exportAudit, searchAudit } from "@/lib/audit/audit-query";
import { getConfig } from "@/lib/config";
import { systemCtx } from "@/lib/context";
import { migrate } from "@/lib/db/migrate";
import { disconnectPrisma } from "@/lib/db/prisma";
import { auditExportSchema, auditQuerySchema } from "@/lib/validation/audit";

const TOTAL = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 40);
const ACTIONS = ["connection.accepted", "connection.closed", "tunnel.requested", "tunnel.opened", "tunnel.closed", "auth.sign_in", "host.updated"];
const USERS = 200;
const HOSTS = 50;
const TUNNELS = 20_000;
const START = Date.UTC(2026, 0, 1);
const SPAN_MS = 300 * 86_400_000; // ten months of history

function seed(file: string) {
  const key = auditKey(getConfig().secretKey);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const insert = db.prepare(
    `INSERT INTO AuditEvent (seq, at, actorType, actorId, actorEmail, actorIp, userAgent, action, hostId, tunnelId, subjectId, details, prevHash, hash)
     VALUES (@seq, @at, @actorType, @actorId, @actorEmail, @actorIp, @userAgent, @action, @hostId, @tunnelId, @subjectId, @details, @prevHash, @hash)`,
  );
  let prev = GENESIS_HASH;
  const batch = db.transaction((from: number, to: number) => {
    for (let seq = from; seq < to; seq++) {
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
      // Prisma's SQLite adapter stores DateTime as ISO 8601 text.
      insert.run({ ...record, at: record.at.toISOString() });
      prev = record.hash;
    }
  });
  for (let from = 1; from <= TOTAL; from += 50_000) batch(from, Math.min(TOTAL + 1, from + 50_000));
  db.pragma("optimize");
  db.close();
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

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "warren-audit-bench-"));
  process.env.WARREN_DATA_DIR = dir;
  try {
    const file = (getConfig().database as { file: string }).file;
    await migrate(getConfig().database);
    let started = performance.now();
    seed(file);
    console.log(`seeded ${TOTAL.toLocaleString("en")} sealed records in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const ctx = systemCtx("bench");
    const mid = new Date(START + SPAN_MS / 2);
    const weekLater = new Date(mid.getTime() + 7 * 86_400_000);
    const filters: [string, Record<string, unknown>][] = [
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
    console.log(`\n| filter (50 per page) | p50 ms | p95 ms | target p95 < 50 ms |\n|---|---|---|---|`);
    for (const [name, input] of filters) {
      const { p50, p95 } = await time(() => searchAudit({ ctx, input: auditQuerySchema.parse(input) }));
      console.log(`| ${name} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${p95 < 50 ? "holds" : "MISSED"} |`);
    }

    started = performance.now();
    let rows = 0;
    const reader = exportAudit({ ctx, input: auditExportSchema.parse({ format: "jsonl" }) }).stream.getReader();
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rows += decoder.decode(chunk.value).split("\n").length - 1;
    const seconds = (performance.now() - started) / 1000;
    const rate = rows / seconds;
    console.log(
      `\nexport (JSON lines): ${rows.toLocaleString("en")} rows in ${seconds.toFixed(1)} s = ${Math.round(rate).toLocaleString("en")} rows/s (target ≥ 50,000: ${rate >= 50_000 ? "holds" : "MISSED"})`,
    );
  } finally {
    await disconnectPrisma();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
