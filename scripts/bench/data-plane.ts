// Data-plane figures for one kind of tunnel: the same workload through
// Warren, through OpenSSH (same cipher, then its default), and direct.
import { freePort, freePortInRange } from "@/tests/harness/free-port";
import type { SshdHandle } from "@/tests/harness/sshd";
import type { BenchConfig } from "./config.ts";
import { capturedHops, emptyTally, hopTable, type HopTally } from "./latency-hops.ts";
import { SAME_CIPHER, startForwarder } from "./openssh.ts";
import { cpuSeconds, peakRssBytes, resetPeakRss, settledRss, treeCpuSeconds } from "./proc.ts";
import type { Recorder } from "./recorder.ts";
import type { Kind, MetricId, PathName } from "./results.ts";
import { percentile } from "./stats.ts";
import { download, roundTrips, socksDialer, tcpDialer, upload, type Dial, type Ports } from "./traffic.ts";
import { addHost, closeTunnel, openTunnel, startBenchWarren, type BenchWarren } from "./warren-side.ts";

export type DataPlaneContext = {
  config: BenchConfig;
  sshd: SshdHandle;
  sshdPid: number;
  warren: BenchWarren;
  hostId: string;
  /** Where the bulk source and the echo server listen, on loopback. */
  targets: Ports;
  recorder: Recorder;
  /** With BENCH_HOPS=1, each forwarder's captured latency runs (a remote forward's legs run the other way: none). */
  hops?: Map<PathName, HopTally>;
};

/** One way through for one kind: how to dial it, which process forwards (for
 *  CPU and RSS), the port its round trips enter by (a forwarder's), how to close it. */
type Entry = { path: PathName; dial: Dial; pid: number | null; echoPort?: number; close(): Promise<void> };

/** Warren runs for days, with V8's compiler warm: one unmeasured transfer
 *  each way that is measured, through every path (OpenSSH's alike), keeps the
 *  first run's compiling out of the streaming figures. A quarter of a stream,
 *  at most 256 MiB. */
async function warmUp(ctx: DataPlaneContext, entries: Entry[], transfers: Transfer[]) {
  const bytes = Math.min(ctx.config.streamBytes / 4, 256 * 1024 * 1024);
  for (const transfer of transfers) {
    for (const entry of entries) await transfer(entry.dial, bytes);
  }
}

async function distinctPorts(count: number, pick: () => Promise<number>): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await pick());
  return [...ports];
}

const loopback = (port: number) => ({ address: "127.0.0.1", port });

async function warrenEntry(ctx: DataPlaneContext, kind: Kind): Promise<Entry> {
  const { api, pid } = ctx.warren;
  // Local and dynamic listeners must sit in Warren's allowed range; remote ones listen on the sshd side.
  const [bulkPort, echoPort] = await distinctPorts(2, kind === "remote" ? () => freePort() : () => freePortInRange());
  const tunnel = (listenPort: number, targetPort?: number) =>
    openTunnel(api, { hostId: ctx.hostId, kind, listen: loopback(listenPort), ...(targetPort ? { target: { host: "127.0.0.1", port: targetPort } } : {}) });
  const ids = kind === "dynamic" ? [await tunnel(bulkPort!)] : [await tunnel(bulkPort!, ctx.targets.bulk), await tunnel(echoPort!, ctx.targets.echo)];
  const dial = kind === "dynamic" ? socksDialer(bulkPort!, ctx.targets) : tcpDialer({ bulk: bulkPort!, echo: echoPort! });
  const close = async () => {
    await Promise.all(ids.map((id) => closeTunnel(api, id)));
  };
  return { path: "warren", dial, pid, echoPort: kind === "dynamic" ? bulkPort : echoPort, close };
}

async function opensshEntry(ctx: DataPlaneContext, kind: Kind, path: "openssh" | "openssh-default"): Promise<Entry> {
  const [bulkPort, echoPort] = await distinctPorts(2, () => freePort());
  const flag = kind === "local" ? "-L" : "-R";
  const forwards =
    kind === "dynamic"
      ? ["-D", `127.0.0.1:${bulkPort}`]
      : [flag, `127.0.0.1:${bulkPort}:127.0.0.1:${ctx.targets.bulk}`, flag, `127.0.0.1:${echoPort}:127.0.0.1:${ctx.targets.echo}`];
  const forwarder = await startForwarder(
    ctx.sshd,
    forwards,
    path === "openssh" ? SAME_CIPHER : null,
    kind === "dynamic" ? [bulkPort!] : [bulkPort!, echoPort!],
  );
  const dial = kind === "dynamic" ? socksDialer(bulkPort!, ctx.targets) : tcpDialer({ bulk: bulkPort!, echo: echoPort! });
  return { path, dial, pid: forwarder.pid, echoPort: kind === "dynamic" ? bulkPort : echoPort, close: forwarder.stop };
}

function directEntry(ctx: DataPlaneContext): Entry {
  return { path: "direct", dial: tcpDialer(ctx.targets), pid: null, close: async () => {} };
}

type Transfer = (dial: Dial, bytes: number) => Promise<void>;

/** A streaming workload: which way the bytes go, and the figures it records. */
type Streams = { transfer: Transfer; parallel: boolean; throughput: MetricId; cpu: MetricId; sshdCpu: MetricId };

const ONE_DOWNLOAD: Streams = { transfer: download, parallel: false, throughput: "throughput", cpu: "cpu-per-gb", sshdCpu: "sshd-cpu-per-gb" };
const PARALLEL_DOWNLOADS: Streams = {
  transfer: download,
  parallel: true,
  throughput: "throughput-parallel",
  cpu: "cpu-per-gb-parallel",
  sshdCpu: "sshd-cpu-per-gb-parallel",
};
const ONE_UPLOAD: Streams = {
  transfer: upload,
  parallel: false,
  throughput: "throughput-upload",
  cpu: "cpu-per-gb-upload",
  sshdCpu: "sshd-cpu-per-gb-upload",
};

/** A stream's bytes, over one connection or split over the parallel ones: the aggregate MB/s, and
 *  the CPU the forwarding process and sshd (every process it forked) spent per GB. */
function streaming(figures: Streams) {
  return async (ctx: DataPlaneContext, kind: Kind, entry: Entry) => {
    const count = figures.parallel ? ctx.config.parallelStreams : 1;
    const each = Math.floor(ctx.config.streamBytes / count);
    const cpuBefore = entry.pid === null ? 0 : cpuSeconds(entry.pid);
    const sshdBefore = treeCpuSeconds(ctx.sshdPid);
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, () => figures.transfer(entry.dial, each)));
    const seconds = (performance.now() - started) / 1000;
    const gigabytes = (each * count) / 1e9;
    ctx.recorder.add(figures.throughput, kind, entry.path, (gigabytes * 1000) / seconds);
    if (entry.pid === null) return;
    ctx.recorder.add(figures.cpu, kind, entry.path, (cpuSeconds(entry.pid) - cpuBefore) / gigabytes);
    ctx.recorder.add(figures.sshdCpu, kind, entry.path, (treeCpuSeconds(ctx.sshdPid) - sshdBefore) / gigabytes);
  };
}

/** A connection's code (accept, channel open and close, the splice) runs once
 *  per connection, so V8 optimises it only after a few thousand: the
 *  latency runs come after 2,000 unmeasured ones (config.ts), as a
 *  bastion's Warren runs warm (docs/performance.md, "The bench itself"). */
async function latency(ctx: DataPlaneContext, kind: Kind, entry: Entry) {
  const { latencyWarmUp, latencyConnections } = ctx.config;
  await roundTrips(entry.dial, latencyWarmUp);
  const measure = () => roundTrips(entry.dial, latencyConnections);
  const { pid, echoPort } = entry;
  const tally = ctx.hops?.get(entry.path);
  const samples =
    tally && pid !== null && echoPort !== undefined
      ? await capturedHops(tally, { listen: echoPort, sshd: ctx.sshd.port, target: ctx.targets.echo }, { forwarder: pid, sshd: ctx.sshdPid }, measure)
      : await measure();
  ctx.recorder.add("latency-p50", kind, entry.path, percentile(samples, 50));
  ctx.recorder.add("latency-p99", kind, entry.path, percentile(samples, 99));
}

/** The concurrent connections' downloads, all at once: their seconds and how many failed (each failure's reason recorded under `where`). */
async function concurrentDownloads(ctx: DataPlaneContext, where: string, entry: Entry): Promise<{ seconds: number; failed: number }> {
  const { concurrentConnections, concurrentBytes } = ctx.config;
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: concurrentConnections }, () => download(entry.dial, concurrentBytes)));
  const seconds = (performance.now() - started) / 1000;
  const failed = outcomes.filter((outcome) => outcome.status === "rejected");
  for (const failure of failed) ctx.recorder.error(where, String(failure.reason instanceof Error ? failure.reason.message : failure.reason));
  return { seconds, failed: failed.length };
}

async function concurrency(ctx: DataPlaneContext, kind: Kind, entry: Entry) {
  const { concurrentConnections, concurrentBytes } = ctx.config;
  if (entry.pid !== null) resetPeakRss(entry.pid);
  const { seconds, failed } = await concurrentDownloads(ctx, `${kind} via ${entry.path}`, entry);
  ctx.recorder.add("concurrent-errors", kind, entry.path, failed);
  ctx.recorder.add("concurrent-throughput", kind, entry.path, ((concurrentConnections - failed) * concurrentBytes) / 1e6 / seconds);
  if (entry.pid !== null) ctx.recorder.add("concurrent-peak-rss", kind, entry.path, peakRssBytes(entry.pid) / 1e6);
}

/** What the first users of a new tunnel see, and what the concurrent
 *  connections cost from idle, through a Warren started for it and a new
 *  `ssh`: each forwarder's settled RSS with its tunnel open and no connection
 *  yet; round trips with none before (V8 has not compiled a connection's code
 *  yet); then the concurrent connections, for the peak RSS. Warren is one
 *  process (Next.js, the engine, the data plane's worker), and the bench's
 *  own Warren holds by then what the other workloads left: a fresh one is
 *  the idle baseline. Each run starts both afresh, so no run warms another. */
async function fresh(ctx: DataPlaneContext, kind: Kind) {
  const warren = await startBenchWarren();
  const entries: Entry[] = [];
  try {
    const hostId = await addHost(warren.api, ctx.sshd, "bench-fresh");
    entries.push(await warrenEntry({ ...ctx, warren, hostId }, kind), await opensshEntry(ctx, kind, "openssh"));
    for (const entry of entries) {
      const { path, pid } = entry;
      if (pid === null) continue;
      const idle = await settledRss(pid);
      resetPeakRss(pid);
      ctx.recorder.add("fresh-latency-p50", kind, path, percentile(await roundTrips(entry.dial, ctx.config.freshConnections), 50));
      await concurrentDownloads(ctx, `${kind} via ${path}, fresh tunnel`, entry);
      const peak = peakRssBytes(pid);
      ctx.recorder.add("fresh-idle-rss", kind, path, idle / 1e6);
      ctx.recorder.add("fresh-concurrent-peak-rss", kind, path, peak / 1e6);
      ctx.recorder.add("fresh-concurrent-rss-growth", kind, path, (peak - idle) / 1e6);
    }
  } finally {
    await Promise.all(entries.map((entry) => entry.close()));
    await warren.handle.dispose();
  }
}

/** Every run goes through every entry before the next run starts, so drift hits all alike. */
async function interleaved(ctx: DataPlaneContext, kind: Kind, entries: Entry[], workload: (ctx: DataPlaneContext, kind: Kind, entry: Entry) => Promise<void>) {
  for (let run = 0; run < ctx.config.runs; run++) {
    for (const entry of entries) await workload(ctx, kind, entry);
  }
}

export async function benchKind(ctx: DataPlaneContext, kind: Kind) {
  const { sections } = ctx.config;
  // Before this kind's other traffic, so the machine is otherwise idle; in a Warren of its own, so the bench's Warren's warmth does not count.
  if (sections.has("fresh")) {
    for (let run = 0; run < ctx.config.runs; run++) await fresh(ctx, kind);
  }
  const entries: Entry[] = [];
  try {
    entries.push(await warrenEntry(ctx, kind), await opensshEntry(ctx, kind, "openssh"), await opensshEntry(ctx, kind, "openssh-default"), directEntry(ctx));
    // OpenSSH's default cipher is measured for streaming only: the other targets compare like with like.
    const sameCipher = entries.filter((entry) => entry.path !== "openssh-default");
    const downloads = sections.has("throughput") || sections.has("parallel");
    await warmUp(ctx, entries, [...(downloads ? [download] : []), ...(sections.has("upload") ? [upload] : [])]);
    if (sections.has("throughput")) await interleaved(ctx, kind, entries, streaming(ONE_DOWNLOAD));
    if (sections.has("parallel")) await interleaved(ctx, kind, entries, streaming(PARALLEL_DOWNLOADS));
    if (sections.has("upload")) await interleaved(ctx, kind, entries, streaming(ONE_UPLOAD));
    if (sections.has("latency")) {
      const hops =
        ctx.config.hops && kind !== "remote"
          ? new Map<PathName, HopTally>([
              ["warren", emptyTally()],
              ["openssh", emptyTally()],
            ])
          : undefined;
      await interleaved({ ...ctx, hops }, kind, sameCipher, latency);
      if (hops) console.log(`\nWhere a new ${kind} connection's round trip goes, from packet captures (latency-hops.ts):\n${hopTable(hops)}\n`);
    }
    if (sections.has("concurrency")) await interleaved(ctx, kind, sameCipher, concurrency);
  } finally {
    await Promise.all(entries.map((entry) => entry.close()));
  }
}
