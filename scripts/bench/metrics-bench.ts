// What Prometheus metrics cost the data plane: two Warrens on the same sshd,
// one without metrics and one with WARREN_METRICS_ADDRESS scraped every
// second (a tighter interval than any real Prometheus), measured in
// alternating rounds so the machine's drift falls on both alike. Each round:
// one download of BENCH_METRICS_MIB MiB (default 256) through a local tunnel,
// and 500 new-connection round trips through another (p50, p99), with
// Warren's CPU seconds for each. A benchmark, not a test: it prints figures.
import { freePort, freePortInRange } from "@/tests/harness/free-port";
import { startEchoServer } from "@/tests/harness/origin";
import { startSshd } from "@/tests/harness/sshd";
import { cpuSeconds } from "./proc.ts";
import { markdownTable } from "./report.ts";
import { median, percentile } from "./stats.ts";
import { type Dial, download, roundTrips, startBulkSource, tcpDialer } from "./traffic.ts";
import { addHost, openTunnel, type BenchWarren, startBenchWarren } from "./warren-side.ts";

const ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS ?? 5);
const STREAM_BYTES = Number(process.env.BENCH_METRICS_MIB ?? 256) * 1024 * 1024;
const ROUND_TRIPS = 500;
const SCRAPE_MS = 1_000;

type Side = { label: string; warren: BenchWarren; dial: Dial };
type Samples = { mbPerS: number[]; cpuPerGb: number[]; p50: number[]; p99: number[] };

async function side(label: string, sshd: Awaited<ReturnType<typeof startSshd>>, ports: { bulk: number; echo: number }, env: Record<string, string>) {
  const warren = await startBenchWarren(env);
  const hostId = await addHost(warren.api, sshd, `metrics-${label}`);
  const bulk = await freePortInRange();
  const echo = await freePortInRange();
  await openTunnel(warren.api, { hostId, kind: "local", listen: { address: "127.0.0.1", port: bulk }, target: { host: "127.0.0.1", port: ports.bulk } });
  await openTunnel(warren.api, { hostId, kind: "local", listen: { address: "127.0.0.1", port: echo }, target: { host: "127.0.0.1", port: ports.echo } });
  return { label, warren, dial: tcpDialer({ bulk, echo }) } satisfies Side;
}

/** Scrapes /metrics every second until stopped; answers each scrape's milliseconds. */
function scraper(url: string) {
  const times: number[] = [];
  let failures = 0;
  const timer = setInterval(async () => {
    const started = performance.now();
    const response = await fetch(url).catch(() => null);
    if (response?.ok) {
      await response.text();
      times.push(performance.now() - started);
    } else failures += 1;
  }, SCRAPE_MS);
  return {
    stop() {
      clearInterval(timer);
      return { times, failures };
    },
  };
}

async function measure({ warren, dial }: Side, into: Samples) {
  const cpuBefore = cpuSeconds(warren.pid);
  const started = performance.now();
  await download(dial, STREAM_BYTES);
  const seconds = (performance.now() - started) / 1000;
  into.mbPerS.push(STREAM_BYTES / 1e6 / seconds);
  into.cpuPerGb.push((cpuSeconds(warren.pid) - cpuBefore) / (STREAM_BYTES / 1e9));
  const trips = await roundTrips(dial, ROUND_TRIPS);
  into.p50.push(percentile(trips, 50));
  into.p99.push(percentile(trips, 99));
}

const emptySamples = (): Samples => ({ mbPerS: [], cpuPerGb: [], p50: [], p99: [] });
const fixed = (value: number, digits = 2) => value.toFixed(digits);

async function main() {
  const [sshd, bulkSource, echoServer] = await Promise.all([startSshd(), startBulkSource(), startEchoServer()]);
  const ports = { bulk: bulkSource.port, echo: echoServer.port };
  const metricsPort = await freePort();
  const off = await side("off", sshd, ports, {});
  const on = await side("on", sshd, ports, { WARREN_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` });
  const scrapes = scraper(`http://127.0.0.1:${metricsPort}/metrics`);
  const samples = { off: emptySamples(), on: emptySamples() };
  try {
    // Warm both up once, then alternate which goes first.
    await measure(off, emptySamples());
    await measure(on, emptySamples());
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [off, on] : [on, off];
      for (const current of order) await measure(current, samples[current.label as "off" | "on"]);
      console.error(`round ${round + 1} of ${ROUNDS} done`);
    }
  } finally {
    const { times, failures } = scrapes.stop();
    const row = (name: string, pick: (s: Samples) => number[], digits?: number): string[] => {
      const [a, b] = [median(pick(samples.off)), median(pick(samples.on))];
      return [name, fixed(a, digits), fixed(b, digits), fixed(b / a, 3)];
    };
    console.log(`\n### Metrics on and off (${ROUNDS} alternating rounds, medians; scraped every ${SCRAPE_MS / 1000} s)\n`);
    console.log(
      markdownTable(
        ["", "metrics off", "metrics on", "on / off"],
        [
          row(`download ${STREAM_BYTES / 1024 / 1024} MiB, MB/s`, (s) => s.mbPerS),
          row("Warren CPU-s per GB", (s) => s.cpuPerGb),
          row("new connection round trip p50, ms", (s) => s.p50, 3),
          row("new connection round trip p99, ms", (s) => s.p99, 3),
        ],
        ["left", "right", "right", "right"],
      ),
    );
    console.log(`\n${times.length} scrapes, p50 ${fixed(percentile(times, 50))} ms, max ${fixed(Math.max(...times))} ms, ${failures} failed.`);
    await Promise.all([off.warren.handle.dispose(), on.warren.handle.dispose()]);
    await Promise.all([sshd.dispose(), bulkSource.close(), echoServer.close()]);
  }
}

await main();
