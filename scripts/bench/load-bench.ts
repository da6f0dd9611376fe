// `npm run bench`, second part (issue #8's load figures; a benchmark, not a
// test): 200 tunnels carrying traffic while 50 dashboard sockets listen,
// with /api/v1/health's latency and the delay of status events to every
// socket measured meanwhile; then Warren's RSS after each of 10 cycles of
// opening and closing 100 tunnels. The sockets and the health poller run in
// a process of their own (load-observer.ts), so the bench's own busy
// download loops do not add to those figures. BENCH_QUICK=1 shrinks it to a
// smoke run.
// Writes bench/results/latest-load{,-quick}.{md,json} and appends the run to
// bench/results/history.jsonl (history.ts).
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { freePortInRange } from "@/tests/harness/free-port";
import { startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { startSshd } from "@/tests/harness/sshd";
import { REPO_ROOT } from "@/tests/harness/warren";
import { machine, versions } from "./environment.ts";
import { recordRun, variantSuffix } from "./history.ts";
import type { Observation } from "./load-observer.ts";
import { rssBytes } from "./proc.ts";
import { percentile } from "./stats.ts";
import { download, startBulkSource, tcpDialer } from "./traffic.ts";
import { addHost, closeTunnel, openTunnel, startBenchWarren, type BenchWarren } from "./warren-side.ts";

type LoadWorkload = { tunnels: number; clients: number; trafficSeconds: number; downloadBytes: number; cycles: number; cycleTunnels: number; hosts: number };

const QUICK = process.env.BENCH_QUICK === "1";
const WORKLOAD: LoadWorkload = QUICK
  ? { tunnels: 40, clients: 10, trafficSeconds: 10, downloadBytes: 256 * 1024, cycles: 3, cycleTunnels: 20, hosts: 2 }
  : { tunnels: 200, clients: 50, trafficSeconds: 60, downloadBytes: 256 * 1024, cycles: 10, cycleTunnels: 100, hosts: 4 };
const HEALTH_EVERY_MS = 100;
const STATUS_CHANGE_EVERY_MS = 1_000;
const SETTLE_MS = 3_000;

type Percentiles = { p50: number; p99: number; max: number; samples: number };
type LoadResults = {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: Record<string, string>;
  versions: Record<string, string>;
  workload: LoadWorkload;
  /** The machine's 1-minute load average at the start and end of the traffic: other work on a shared box shows here. */
  loadAverage: { start: number; end: number };
  traffic: {
    downloads: number;
    errors: number;
    errorSamples: string[];
    megabytesPerSecond: number;
    healthMs: Percentiles;
    healthFailures: number;
    statusEventMs: Percentiles;
    statusEventsExpected: number;
    statusEventsReceived: number;
    /** The changes some socket did not hear, with how many did. */
    statusEventsMissed: string[];
    /** The spare tunnel's POST → active and DELETE → closed under the load. */
    spareOpenMs: Percentiles;
    spareCloseMs: Percentiles;
    statsEventsPerClientPerSecond: number;
    rssMegabytes: { before: number; during: number; after: number };
  };
  cycles: { rssMegabytes: number[]; growthMegabytes: number; growthAfterFirstMegabytes: number };
};

const summary = (samples: number[]): Percentiles => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  max: Math.max(...samples),
  samples: samples.length,
});
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

/** Starts the observer (load-observer.ts) and resolves once its sockets are connected; `stop()` ends it and answers its report. */
async function startObserver(warren: BenchWarren): Promise<{ stop: () => Promise<Observation> }> {
  const args = ["--url", warren.handle.url, "--token", warren.token, "--clients", String(WORKLOAD.clients), "--every", String(HEALTH_EVERY_MS)];
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/load-observer.ts", ...args], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const result = new Promise<Observation>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.startsWith("{")) resolve(JSON.parse(line) as Observation);
    });
    child.once("exit", (code) => reject(new Error(`the load observer exited (${code}) without a report`)));
  });
  await new Promise<void>((resolve, reject) => {
    lines.once("line", (line) => (line === "connected" ? resolve() : reject(new Error(`load observer: ${line}`))));
    child.once("exit", (code) => reject(new Error(`the load observer exited (${code}) before connecting`)));
  });
  return {
    stop: () => {
      child.stdin.end("stop\n");
      return result;
    },
  };
}

async function openMany(warren: BenchWarren, hostIds: string[], count: number, targetPort: number): Promise<{ id: string; port: number }[]> {
  const tunnels: { id: string; port: number }[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePortInRange();
    const id = await openTunnel(warren.api, {
      hostId: hostIds[i % hostIds.length]!,
      kind: "local",
      listen: { address: "127.0.0.1", port },
      target: { host: "127.0.0.1", port: targetPort },
    });
    tunnels.push({ id, port });
  }
  return tunnels;
}

/** Every tunnel downloads again and again until `until`; answers how many succeeded, and the failures. */
async function carry(tunnels: { port: number }[], bytes: number, until: number) {
  let downloads = 0;
  const errors: string[] = [];
  await Promise.all(
    tunnels.map(async ({ port }) => {
      const dial = tcpDialer({ bulk: port, echo: port });
      while (Date.now() < until) {
        try {
          await download(dial, bytes);
          downloads += 1;
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
    }),
  );
  return { downloads, errors };
}

type StatusChanges = { tunnelIds: string[]; openMs: number[]; closeMs: number[] };

/** Opens and closes a spare tunnel, a second apart, until `until`: each open and close is a status event every socket must get. */
async function changeStatuses(warren: BenchWarren, hostId: string, targetPort: number, until: number): Promise<StatusChanges> {
  const changes: StatusChanges = { tunnelIds: [], openMs: [], closeMs: [] };
  while (Date.now() < until) {
    let started = performance.now();
    const [spare] = await openMany(warren, [hostId], 1, targetPort);
    changes.openMs.push(performance.now() - started);
    changes.tunnelIds.push(spare!.id);
    started = performance.now();
    await closeTunnel(warren.api, spare!.id);
    changes.closeMs.push(performance.now() - started);
    await sleep(STATUS_CHANGE_EVERY_MS);
  }
  return changes;
}

/** Which of the spare tunnels' changes each socket heard: every socket must hear every one. */
function statusDelivery(changes: StatusChanges, seen: Observation) {
  const expected = changes.tunnelIds.flatMap((id) => ["active", "closed"].map((status) => `${id} ${status}`));
  const missed = expected
    .filter((key) => (seen.statusHeard[key] ?? 0) < seen.connected)
    .map((key) => `${key}: ${seen.statusHeard[key] ?? 0} of ${seen.connected} sockets`);
  const received = expected.reduce((sum, key) => sum + Math.min(seen.statusHeard[key] ?? 0, seen.connected), 0);
  return { statusEventsExpected: expected.length * seen.connected, statusEventsReceived: received, statusEventsMissed: missed };
}

async function settledRss(pid: number): Promise<number> {
  await sleep(SETTLE_MS);
  return rssBytes(pid);
}

async function trafficPhase(warren: BenchWarren, hostIds: string[], bulk: TcpServer, echo: TcpServer): Promise<LoadResults["traffic"]> {
  const { tunnels: count, clients, trafficSeconds, downloadBytes } = WORKLOAD;
  const rssBefore = await settledRss(warren.pid);
  console.log(`opening ${count} tunnels, connecting ${clients} dashboard sockets`);
  const tunnels = await openMany(warren, hostIds, count, bulk.port);
  try {
    const observer = await startObserver(warren);
    console.log(`${trafficSeconds} s of traffic`);
    const started = Date.now();
    const until = started + trafficSeconds * 1_000;
    let rssDuring = 0;
    const sampleRss = sleep((trafficSeconds * 1_000) / 2).then(() => (rssDuring = rssBytes(warren.pid)));
    // The last spare tunnel may close after the downloads end: throughput is over the downloads' own time.
    const carried = carry(tunnels, downloadBytes, until).then((moved) => ({ ...moved, seconds: (Date.now() - started) / 1_000 }));
    const [moved, changes] = await Promise.all([carried, changeStatuses(warren, hostIds[0]!, echo.port, until), sampleRss]);
    const { seconds } = moved;
    const seen = await observer.stop();
    return {
      downloads: moved.downloads,
      errors: moved.errors.length,
      errorSamples: [...new Set(moved.errors)].slice(0, 10),
      megabytesPerSecond: Math.round((moved.downloads * downloadBytes) / 1e6 / seconds),
      healthMs: summary(seen.health),
      healthFailures: seen.healthFailures,
      statusEventMs: summary(seen.statusDelays),
      ...statusDelivery(changes, seen),
      spareOpenMs: summary(changes.openMs),
      spareCloseMs: summary(changes.closeMs),
      statsEventsPerClientPerSecond: Math.round((seen.statsEvents / seen.connected / seconds) * 10) / 10,
      rssMegabytes: { before: mb(rssBefore), during: mb(rssDuring), after: 0 },
    };
  } finally {
    for (const { id } of tunnels) await closeTunnel(warren.api, id);
  }
}

async function cyclePhase(warren: BenchWarren, hostIds: string[], echo: TcpServer): Promise<LoadResults["cycles"]> {
  const rss: number[] = [];
  for (let cycle = 0; cycle < WORKLOAD.cycles; cycle++) {
    const tunnels = await openMany(warren, hostIds, WORKLOAD.cycleTunnels, echo.port);
    for (const { id } of tunnels) await closeTunnel(warren.api, id);
    rss.push(mb(await settledRss(warren.pid)));
    console.log(`  cycle ${cycle + 1}: RSS ${rss.at(-1)} MB`);
  }
  return {
    rssMegabytes: rss,
    growthMegabytes: Math.round((rss.at(-1)! - rss[0]!) * 10) / 10,
    growthAfterFirstMegabytes: Math.round((rss.at(-1)! - rss[1 % rss.length]!) * 10) / 10,
  };
}

function renderLoad(results: LoadResults): string {
  const { workload: w, traffic: t, cycles: c } = results;
  const ms = (p: Percentiles) => `${p.p50.toFixed(1)} / **${p.p99.toFixed(1)}** / ${p.max.toFixed(1)} (${p.samples} samples)`;
  return `# Warren load bench, ${results.startedAt.slice(0, 16).replace("T", " ")} UTC${results.quick ? " (quick run: not the issue's workload)" : ""}

- Machine: ${Object.entries(results.machine)
    .map(([k, v]) => `${k} ${v}`)
    .join("; ")}.
- Load average (1 min) when the traffic started / ended: ${results.loadAverage.start.toFixed(1)} / ${results.loadAverage.end.toFixed(1)} (${os.cpus().length} cores; above that, other work shared the machine).
- Versions: ${Object.entries(results.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join("; ")}.
- Workload: ${w.tunnels} local tunnels over ${w.hosts} host entries (one SSH connection each, same sshd on loopback), each downloading ${w.downloadBytes / 1024} KiB again and again for ${w.trafficSeconds} s; ${w.clients} dashboard sockets (socket.io, WebSocket) listening and /api/v1/health polled every ${HEALTH_EVERY_MS} ms, both from a process of their own; a spare tunnel opened and closed again and again, a second apart, for status events (the sockets listen until its last close). Then ${w.cycles} cycles of opening and closing ${w.cycleTunnels} tunnels, RSS read ${SETTLE_MS / 1000} s after each.

## Under load

| figure | value |
| --- | --- |
| downloads completed / failed | ${t.downloads} / ${t.errors} |
| throughput through all tunnels | ${t.megabytesPerSecond} MB/s |
| health latency p50 / **p99** / max | ${ms(t.healthMs)} ms |
| health requests failed | ${t.healthFailures} |
| status event delay to each socket p50 / **p99** / max | ${ms(t.statusEventMs)} ms |
| status events received / expected | ${t.statusEventsReceived} / ${t.statusEventsExpected}${t.statusEventsMissed.length ? ` (missed: ${t.statusEventsMissed.join("; ")})` : ""} |
| spare tunnel POST → active p50 / **p99** / max | ${ms(t.spareOpenMs)} ms |
| spare tunnel DELETE → closed p50 / **p99** / max | ${ms(t.spareCloseMs)} ms |
| stats frames per socket per second (one a second, all moving tunnels in it) | ${t.statsEventsPerClientPerSecond} |
| Warren RSS before / during | ${t.rssMegabytes.before} / ${t.rssMegabytes.during} MB |
${t.errorSamples.length ? `\nFailures seen: ${t.errorSamples.map((e) => `\`${e}\``).join(", ")}\n` : ""}
## RSS across open/close cycles

| cycle | ${c.rssMegabytes.map((_, i) => i + 1).join(" | ")} |
| --- | ${c.rssMegabytes.map(() => "---").join(" | ")} |
| RSS (MB) | ${c.rssMegabytes.join(" | ")} |

Growth from the first cycle to the last: ${c.growthMegabytes} MB; from the second to the last: ${c.growthAfterFirstMegabytes} MB.
`;
}

async function loadBench(): Promise<LoadResults> {
  const startedAt = new Date().toISOString();
  const sshd = await startSshd();
  const [bulk, echo] = await Promise.all([startBulkSource(), startEchoServer({ host: "127.0.0.1" })]);
  const warren = await startBenchWarren();
  try {
    const hostIds: string[] = [];
    for (let i = 0; i < WORKLOAD.hosts; i++) hostIds.push(await addHost(warren.api, sshd, `load-${i}`));
    const loadStart = os.loadavg()[0]!;
    const traffic = await trafficPhase(warren, hostIds, bulk, echo);
    const loadAverage = { start: loadStart, end: os.loadavg()[0]! };
    traffic.rssMegabytes.after = mb(await settledRss(warren.pid));
    console.log(`${WORKLOAD.cycles} cycles of ${WORKLOAD.cycleTunnels} tunnels`);
    const cycles = await cyclePhase(warren, hostIds, echo);
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      quick: QUICK,
      machine: machine(),
      versions: versions(),
      workload: WORKLOAD,
      loadAverage,
      traffic,
      cycles,
    };
  } finally {
    await warren.handle.dispose();
    await Promise.all([sshd.dispose(), bulk.close(), echo.close()]);
  }
}

const results = await loadBench();
const markdown = renderLoad(results);
const file = await recordRun(path.join(REPO_ROOT, "bench", "results"), {
  startedAt: results.startedAt,
  suffix: variantSuffix(["load", results.quick && "quick"]),
  markdown,
  results,
});
console.log(`\n${markdown}\nwritten to ${path.relative(REPO_ROOT, file)}`);
