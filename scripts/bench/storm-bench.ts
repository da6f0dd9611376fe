// Connection storm (issue #27): the highest rate of new connections per
// second through one `-L` tunnel that Warren sustains for 60 s, every
// connection recorded and its journal's backlog flat, against the rate
// `ssh -L` (same sshd, same target, same cipher) sustains in the same run.
// A benchmark, not a test: it prints figures.
//
// A generator in a process of its own (storm-client.ts) opens connections
// at a rate paced by the clock: connect, one byte, its echo, end; the target
// is an echo server in this process. A rate holds when no connection failed
// and, over the step's second half (the first warms up), the generator kept
// its schedule and the connections in flight stayed under a second's worth
// and flat. Flat: least-squares slope × the half's length under FLAT_SECONDS
// of what comes in per second. For Warren also the journal backlog (metric
// warren_audit_journal_backlog, in entries, sampled 4 times a second; each
// second's least, what a commit left) is flat against the entries coming in
// (the journal's committed mark in the database counts them), and after the
// last connection the journal empties with one row per connection in the
// database. Each side: rates doubled from FIRST_RATE in STEP_SECONDS steps
// until one fails, bisected to within CLOSE_ENOUGH, and the best confirmed
// for BENCH_STORM_SECONDS (default 60), a fifth lower each time it fails.
import { once } from "node:events";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, freePortInRange } from "@/tests/harness/free-port";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { startSshd } from "@/tests/harness/sshd";
import { startTarget, type Tracker } from "@/tests/harness/tcp-target";
import { REPO_ROOT } from "@/tests/harness/warren";
import { machine } from "./environment.ts";
import { negotiatedCipher, SAME_CIPHER, startForwarder } from "./openssh.ts";
import { cpuSeconds, peakRssBytes, resetPeakRss, rssBytes, treeCpuSeconds } from "./proc.ts";
import { markdownTable } from "./report.ts";
import type { StormSecond, StormTotals } from "./storm-client.ts";
import { addHost, openTunnel, startBenchWarren, warrenCipher } from "./warren-side.ts";

const WINDOW_SECONDS = Number(process.env.BENCH_STORM_SECONDS ?? 60);
const STEP_SECONDS = 10;
const FIRST_RATE = 250;
const LOWEST_RATE = 25;
const HIGHEST_RATE = 32_000;
/** The search stops once the lowest failing rate is within this factor of the highest holding one. */
const CLOSE_ENOUGH = 1.25;
const CONFIRM_TRIES = 3;
/** Flat: over a window's second half, a series grows by less than this many seconds' worth of what comes in. */
const FLAT_SECONDS = 0.5;
const MAX_MEAN_LATE_MS = 25;
const BACKLOG_SAMPLES_PER_SECOND = 4;
const DRAIN_LIMIT_MS = 120_000;
/** After a step, the next waits until the target holds no connection, or the count has not moved for SETTLE_STUCK_MS. */
const SETTLE_STUCK_MS = 5_000;
const TARGET_RATIO = 0.8;
const CURVE_EVERY = 5;

type Side = {
  name: string;
  port: number;
  target: Tracker;
  /** Processes whose CPU the report shows, by name (sshd with every child it forked). */
  cpu: Record<string, () => number>;
  warren?: { pid: number; metricsUrl: string; database: () => Promise<Database> };
};

/** The tunnel's connection rows, and the journal's committed mark (every entry takes the next number). */
type Database = { rows: number; committedSeq: number };

type Step = {
  rate: number;
  seconds: number;
  totals: StormTotals;
  perSecond: StormSecond[];
  /** Warren's journal backlog: at the start (index 0), then its least and most within each second. */
  backlog: { low: number[]; high: number[] } | null;
  /** From the last connection's end until the journal was empty and every connection had its row; null when not within DRAIN_LIMIT_MS. */
  drainMs: number | null;
  /** The journal's backlog when the drain ended. */
  backlogLeft: number | null;
  recorded: number | null;
  /** Journal entries the step's connections added. */
  entries: number | null;
  /** Each process's share of one core over the window, in %. */
  cpuPercent: Record<string, number>;
  rssMb: { start: number; end: number; peak: number } | null;
  /** Why the rate did not hold; null when it did. */
  failure: string | null;
};

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const roundRate = (rate: number) => Math.max(LOWEST_RATE, Math.round(rate / 25) * 25);

/** Least-squares slope of samples taken one second apart, per second. */
function slopePerSecond(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  values.forEach((value, x) => {
    covariance += (x - meanX) * (value - meanY);
    variance += (x - meanX) ** 2;
  });
  return covariance / variance;
}

const secondHalf = <T>(values: readonly T[]) => values.slice(Math.floor(values.length / 2));

/** How much a series sampled once a second grows over its second half: the least-squares slope times that half's length. */
const growth = (values: readonly number[]) => slopePerSecond(secondHalf(values)) * (values.length / 2);

async function journalBacklog(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const value = /^warren_audit_journal_backlog (\d+)$/m.exec(text)?.[1];
  if (value === undefined) throw new Error(`no warren_audit_journal_backlog in ${metricsUrl}`);
  return Number(value);
}

/** Samples the backlog BACKLOG_SAMPLES_PER_SECOND times a second from `started` for `seconds`. */
async function sampleBacklog(metricsUrl: string, started: number, seconds: number): Promise<{ low: number[]; high: number[] }> {
  const low: number[] = [];
  const high: number[] = [];
  for (let sample = 0; sample <= seconds * BACKLOG_SAMPLES_PER_SECOND; sample++) {
    await sleep(started + (sample * 1000) / BACKLOG_SAMPLES_PER_SECOND - performance.now());
    const value = await journalBacklog(metricsUrl);
    const second = Math.ceil(sample / BACKLOG_SAMPLES_PER_SECOND);
    low[second] = Math.min(low[second] ?? value, value);
    high[second] = Math.max(high[second] ?? value, value);
  }
  return { low, high };
}

/** Starts the generator; resolves once it has started its first connection. */
async function startGenerator(port: number, rate: number, seconds: number) {
  const args = ["--port", String(port), "--rate", String(rate), "--seconds", String(seconds)];
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/storm-client.ts", ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const perSecond: StormSecond[] = [];
  const lines = createInterface({ input: child.stdout });
  const done = new Promise<StormTotals>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line === "go") return;
      const parsed = JSON.parse(line) as StormSecond | StormTotals;
      if ("done" in parsed) resolve(parsed);
      else perSecond.push(parsed);
    });
    child.once("close", (code) => reject(new Error(`the storm client exited (${code}) without its totals`)));
  });
  const [first] = (await Promise.race([once(lines, "line"), done])) as [string];
  if (first !== "go") throw new Error(`storm client: ${first}`);
  return { perSecond, done };
}

function cpuNow(side: Side): Record<string, number> {
  const own = process.cpuUsage();
  return { ...Object.fromEntries(Object.entries(side.cpu).map(([name, read]) => [name, read()])), "the bench": (own.user + own.system) / 1e6 };
}

/** Waits, at most DRAIN_LIMIT_MS, until the journal is empty and the tunnel has a row for each of `connections` more than `before`:
 *  answers how long it took (null: it did not), the backlog left and the database then. */
async function drain(warren: NonNullable<Side["warren"]>, before: Database, connections: number) {
  const started = performance.now();
  for (;;) {
    const [backlog, after] = [await journalBacklog(warren.metricsUrl), await warren.database()];
    const ms = performance.now() - started;
    if (backlog === 0 && after.rows - before.rows >= connections) return { ms, backlog, after };
    if (ms > DRAIN_LIMIT_MS) return { ms: null, backlog, after };
    await sleep(100);
  }
}

/** Why `step` does not hold at its rate, or null when it does. */
function failureOf(step: Omit<Step, "failure">): string | null {
  const { rate, totals } = step;
  if (totals.failed > 0) {
    const reasons = Object.entries(totals.errors).map(([reason, count]) => `${reason} ×${count}`);
    return `${totals.failed} of ${totals.started} failed (${reasons.join(", ")})`;
  }
  const inFlight = step.perSecond.slice(0, step.seconds).map((second) => second.inFlight);
  const inFlightGrowth = growth(inFlight);
  if (inFlightGrowth > FLAT_SECONDS * rate) return `connections in flight grew by ${Math.round(inFlightGrowth)} over the second half`;
  const most = Math.max(...secondHalf(inFlight));
  if (most > rate) return `${most} connections in flight, more than a second's worth`;
  if (totals.meanLateMs > MAX_MEAN_LATE_MS)
    return `the generator started connections ${Math.round(totals.meanLateMs)} ms late on average: it did not keep the rate`;
  if (step.backlog === null) return null;
  const backlogGrowth = growth(step.backlog.low);
  if (backlogGrowth > (FLAT_SECONDS * step.entries!) / step.seconds)
    return `the journal backlog grew by ${Math.round(backlogGrowth)} entries over the second half`;
  if (step.drainMs === null || step.recorded! < totals.completed)
    return `${DRAIN_LIMIT_MS / 1000} s after the last connection, ${step.backlogLeft} journal entries left, ${step.recorded} of ${totals.completed} connections recorded`;
  return null;
}

async function runStep(side: Side, rate: number, seconds: number): Promise<Step> {
  const { warren } = side;
  const before = await warren?.database();
  const generator = await startGenerator(side.port, rate, seconds);
  const started = performance.now();
  const cpuBefore = cpuNow(side);
  if (warren) resetPeakRss(warren.pid);
  const rssStart = warren ? rssBytes(warren.pid) : 0;
  const backlog = warren ? await sampleBacklog(warren.metricsUrl, started, seconds) : null;
  if (!warren) await sleep(seconds * 1000);
  const cpuAfter = cpuNow(side);
  const elapsed = (performance.now() - started) / 1000;
  const rssMb = warren ? { start: mb(rssStart), end: mb(rssBytes(warren.pid)), peak: mb(peakRssBytes(warren.pid)) } : null;
  const totals = await generator.done;
  const drained = warren && before ? await drain(warren, before, totals.completed) : null;
  const recorded = drained && before ? drained.after.rows - before.rows : null;
  const entries = drained && before ? drained.after.committedSeq - before.committedSeq : null;
  const [drainMs, backlogLeft] = [drained?.ms ?? null, drained?.backlog ?? null];
  const cpuPercent = Object.fromEntries(Object.entries(cpuAfter).map(([name, after]) => [name, ((after - cpuBefore[name]!) / elapsed) * 100]));
  cpuPercent.generator = (totals.cpuSeconds / seconds) * 100;
  const step = { rate, seconds, totals, perSecond: generator.perSecond, backlog, drainMs, backlogLeft, recorded, entries, cpuPercent, rssMb };
  return { ...step, failure: failureOf(step) };
}

function describeStep(side: Side, step: Step): string {
  const { totals } = step;
  const inFlight = step.perSecond.slice(0, step.seconds).map((second) => second.inFlight);
  const over = inFlight.findIndex((count) => count > step.rate);
  const parts = [
    `${totals.completed} completed`,
    `in flight ≤ ${Math.max(...inFlight)}${over < 0 ? "" : ` (over a second's worth from second ${over + 1})`}`,
    `echo p50 ${totals.replyMs.p50.toFixed(1)} ms, p99 ${totals.replyMs.p99.toFixed(1)} ms`,
    `generator ${Math.round(step.cpuPercent.generator!)}% CPU, ${totals.meanLateMs.toFixed(1)} ms late on average`,
  ];
  if (step.backlog) {
    parts.push(`backlog ≤ ${Math.max(...step.backlog.high)}`);
    parts.push(step.drainMs === null ? "not drained" : `drained in ${(step.drainMs / 1000).toFixed(1)} s`);
    parts.push(`${step.recorded} recorded`);
  }
  return `  ${side.name} ${step.rate}/s × ${step.seconds} s: ${parts.join(", ")}: ${step.failure ?? "holds"}`;
}

/** Waits until what a step that fell behind left in ssh, sshd or Warren is gone: the target holds no connection,
 *  or the same number for SETTLE_STUCK_MS (those stay open; the line says how many). */
async function settle(target: Tracker) {
  const started = performance.now();
  let [count, since] = [target.open(), started];
  while (count > 0 && performance.now() - since < SETTLE_STUCK_MS) {
    await sleep(100);
    if (target.open() !== count) [count, since] = [target.open(), performance.now()];
  }
  const seconds = (performance.now() - started) / 1000;
  if (count > 0) console.log(`    (after the step, ${count} connections stayed open at the target)`);
  else if (seconds > 1) console.log(`    (the path was idle again ${seconds.toFixed(1)} s after the step)`);
}

async function tryRate(side: Side, rate: number, seconds: number, steps: Step[]): Promise<Step> {
  const result = await runStep(side, rate, seconds);
  steps.push(result);
  console.log(describeStep(side, result));
  await settle(side.target);
  await sleep(1000);
  return result;
}

type Outcome = {
  side: Side;
  confirmed: Step | null;
  /** The lowest rate that did not hold. */
  limit: Step | null;
};

/** Doubles, then bisects, in short steps; then confirms the best for the window. */
async function search(side: Side): Promise<Outcome> {
  const steps: Step[] = [];
  let holds = 0;
  let fails = Number.POSITIVE_INFINITY;
  let rate = FIRST_RATE;
  for (;;) {
    if ((await tryRate(side, rate, STEP_SECONDS, steps)).failure === null) holds = rate;
    else fails = rate;
    if (fails === Number.POSITIVE_INFINITY) rate *= 2;
    else if (holds === 0) rate = roundRate(rate / 2);
    else rate = roundRate(Math.sqrt(holds * fails));
    if (rate > HIGHEST_RATE || fails / holds <= CLOSE_ENOUGH || rate === holds || rate === fails || (holds === 0 && fails === LOWEST_RATE)) break;
  }
  let confirmed: Step | null = null;
  rate = holds;
  for (let tries = 0; rate > 0 && tries < CONFIRM_TRIES && !confirmed; tries++) {
    const window = await tryRate(side, rate, WINDOW_SECONDS, steps);
    if (window.failure === null) confirmed = window;
    rate = roundRate(rate * 0.8);
  }
  const failed = steps.filter((one) => one.failure !== null && one.rate > (confirmed?.rate ?? 0)).sort((a, b) => a.rate - b.rate);
  return { side, confirmed, limit: failed[0] ?? null };
}

function report(outcomes: Outcome[], ciphers: string) {
  const sustains = ({ side, confirmed, limit }: Outcome) => {
    const next = limit ? ` (${limit.rate}/s for ${limit.seconds} s did not hold: ${limit.failure})` : "";
    return `  ${side.name} sustains ${confirmed ? `${confirmed.rate}/s` : `no rate from ${LOWEST_RATE}/s up`}${next}`;
  };
  const [ssh, warren] = outcomes;
  const lines = [
    `Connection storm through one -L tunnel, ${WINDOW_SECONDS} s, loopback, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC (${ciphers}); ${machine().cpu}, load average ${os.loadavg()[0]!.toFixed(1)} at the end:`,
    ...outcomes.map(sustains),
  ];
  if (ssh!.confirmed && warren!.confirmed) {
    const ratio = warren!.confirmed.rate / ssh!.confirmed.rate;
    lines.push(`  Warren ÷ ssh -L: ${ratio.toFixed(2)}× (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? "holds" : "misses"})`);
  }
  const confirmed = warren!.confirmed;
  if (confirmed?.backlog) {
    const { low, high } = confirmed.backlog;
    const curve = low.flatMap((least, second) => (second % CURVE_EVERY === 0 ? [least === high[second] ? `${least}` : `${least}–${high[second]}`] : []));
    lines.push(
      `  Warren's journal backlog (entries; least–most within the second) every ${CURVE_EVERY} s of the window: ${curve.join(", ")}; the least grew by ${Math.round(growth(low))} over the second half (flat: under ${Math.round((FLAT_SECONDS * confirmed.entries!) / confirmed.seconds)})`,
      `  drained ${(confirmed.drainMs! / 1000).toFixed(1)} s after the last connection ended; connections completed ${confirmed.totals.completed}, recorded ${confirmed.recorded} (${(confirmed.entries! / confirmed.totals.started).toFixed(1)} journal entries each)`,
      `  Warren's RSS: ${confirmed.rssMb!.start} MB at the start, ${confirmed.rssMb!.end} MB at the end, ${confirmed.rssMb!.peak} MB at most`,
    );
  }
  const processes = ["ssh", "Warren", "sshd", "generator", "the bench"];
  const rows = outcomes.flatMap(({ side, confirmed: window }) =>
    window ? [[side.name, `${window.rate}/s`, ...processes.map((name) => (name in window.cpuPercent ? `${Math.round(window.cpuPercent[name]!)}%` : "–"))]] : [],
  );
  if (rows.length) {
    lines.push("", `CPU over the confirmed window, % of one core (${os.cpus().length} cores):`, "");
    lines.push(markdownTable(["path", "rate", ...processes], rows, ["left", ...processes.map(() => "right" as const), "right"]));
  }
  console.log(`\n${lines.join("\n")}`);
}

async function main() {
  const [sshd, echo] = await Promise.all([startSshd(), startTarget()]);
  const metricsPort = await freePort();
  const warren = await startBenchWarren({ WARREN_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` });
  const db = await openRawDatabase(warren.handle);
  const sshPort = await freePortInRange();
  const forwarder = await startForwarder(sshd, ["-L", `127.0.0.1:${sshPort}:127.0.0.1:${echo.port}`], SAME_CIPHER, [sshPort]);
  try {
    const sshdPid = Number(readFileSync(path.join(sshd.dir, "sshd.pid"), "utf8"));
    const hostId = await addHost(warren.api, sshd, "storm");
    const warrenPort = await freePortInRange();
    const listen = { address: "127.0.0.1", port: warrenPort };
    const tunnelId = await openTunnel(warren.api, { hostId, kind: "local", listen, target: { host: "127.0.0.1", port: echo.port } });
    const ciphers = `Warren ${await warrenCipher(sshd)}, ssh ${await negotiatedCipher(sshd, SAME_CIPHER)}`;
    const sshdCpu = () => treeCpuSeconds(sshdPid);
    const sides: Side[] = [
      { name: "ssh -L", port: sshPort, target: echo, cpu: { ssh: () => cpuSeconds(forwarder.pid), sshd: sshdCpu } },
      {
        name: "Warren",
        port: warrenPort,
        target: echo,
        cpu: { Warren: () => cpuSeconds(warren.pid), sshd: sshdCpu },
        warren: {
          pid: warren.pid,
          metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
          database: async () => {
            const rows = await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM "TunnelConnection" WHERE "tunnelId" = ?', tunnelId);
            const mark = await db.get<{ seq: number | string | null }>('SELECT MAX("seq") AS seq FROM "EngineJournalMark"');
            return { rows: Number(rows!.n), committedSeq: Number(mark?.seq ?? 0) };
          },
        },
      },
    ];
    const outcomes: Outcome[] = [];
    for (const side of sides) {
      console.log(`${side.name}: steps of ${STEP_SECONDS} s from ${FIRST_RATE}/s, then the best for ${WINDOW_SECONDS} s`);
      outcomes.push(await search(side));
    }
    report(outcomes, ciphers);
  } finally {
    await forwarder.stop();
    await db.close();
    await warren.handle.dispose();
    await Promise.all([sshd.dispose(), echo.close()]);
  }
}

await main();
