// A tuning probe, not the bench: Warren's tunnel runtime alone (no Next.js,
// database or worker thread: runtime-probe-child.ts) against `ssh` with the
// same cipher through one sshd, with CPU per GiB split by thread into user
// and system time. What most tunings in docs/performance.md were measured with.
//   npx tsx scripts/bench/runtime-probe.ts
// PROBE_KIND local|remote|dynamic, PROBE_MB (1024), PROBE_RUNS (2),
// PROBE_PARALLEL=1 (8 streams), PROBE_LATENCY=1 (500 new connections with a
// 1-byte request/response instead of streams), PROBE_HOPS=1 (those, captured
// with tcpdump and split hop by hop: latency-hops.ts; local and dynamic),
// PROBE_CHILD_NODE_ARGS (e.g. "--trace-gc", "--cpu-prof"), PROBE_ONLY=warren|openssh.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "@/tests/harness/free-port";
import { startEchoServer } from "@/tests/harness/origin";
import { startSshd } from "@/tests/harness/sshd";
import { SAME_CIPHER, startForwarder } from "./openssh.ts";
import { capturedHops, emptyTally, hopTable, type HopTally } from "./latency-hops.ts";
import { cpuSeconds, threadCpuTimes, treeCpuSeconds } from "./proc.ts";
import { percentile } from "./stats.ts";
import { download, roundTrips, socksDialer, startBulkSource, tcpDialer, type Dial } from "./traffic.ts";

const kind = (process.env.PROBE_KIND ?? "local") as "local" | "remote" | "dynamic";
const bytes = Number(process.env.PROBE_MB ?? 1024) * 1024 * 1024;
const runs = Number(process.env.PROBE_RUNS ?? 2);
const childArgs = (process.env.PROBE_CHILD_NODE_ARGS ?? "").split(" ").filter(Boolean);
const hopsWanted = process.env.PROBE_HOPS === "1";
const latencyOnly = process.env.PROBE_LATENCY === "1" || hopsWanted;
if (hopsWanted && kind === "remote") throw new Error("PROBE_HOPS: local and dynamic forwards only (a remote forward's legs run the other way)");

type Entry = { name: string; pid: number; port: number; dial: Dial; stop(): Promise<void> };

type Threads = ReturnType<typeof threadCpuTimes>;

function threadReport(before: Threads, after: Threads, gigabytes: number): string {
  return [...after]
    .map(([name, { user, system }]) => {
      const { user: user0, system: system0 } = before.get(name) ?? { user: 0, system: 0 };
      const [u, s] = [(user - user0) / gigabytes, (system - system0) / gigabytes];
      return u + s < 0.01 ? "" : `${name} usr ${u.toFixed(2)} sys ${s.toFixed(2)}`;
    })
    .filter(Boolean)
    .join(", ");
}

const sshd = await startSshd();
const sshdPid = Number(readFileSync(path.join(sshd.dir, "sshd.pid"), "utf8"));
const [bulk, echo] = await Promise.all([startBulkSource(), startEchoServer({ host: "127.0.0.1" })]);
const targets = { bulk: bulk.port, echo: echo.port };

async function runtimeChild(listenPort: number, targetPort: number): Promise<ChildProcess> {
  // The old-space flag the data plane's worker gets (data-plane.ts), so the probe's heap behaves like it.
  const args = [
    "--initial-old-space-size=128",
    ...childArgs,
    "--import",
    "tsx",
    "scripts/bench/runtime-probe-child.ts",
    kind,
    String(sshd.port),
    sshd.username,
    sshd.privateKeyPath,
    String(listenPort),
    String(targetPort),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => (chunk.toString().includes("ready") ? resolve() : process.stdout.write(chunk)));
    child.once("exit", (code) => reject(new Error(`the runtime exited (${code})`)));
  });
  return child;
}

/** How to reach the one target a forward serves (the echo server when measuring latency, else the bulk source). */
function dialer(port: number): Dial {
  return kind === "dynamic" ? socksDialer(port, targets) : tcpDialer({ bulk: port, echo: port });
}

const target = () => (latencyOnly ? echo.port : bulk.port);

async function warren(): Promise<Entry> {
  const port = await freePort();
  const child = await runtimeChild(port, target());
  const dial = dialer(port);
  return { name: "warren", pid: child.pid!, port, dial, stop: async () => void child.kill("SIGTERM") };
}

async function openssh(): Promise<Entry> {
  const port = await freePort();
  const forwards = kind === "dynamic" ? ["-D", `127.0.0.1:${port}`] : [kind === "local" ? "-L" : "-R", `127.0.0.1:${port}:127.0.0.1:${target()}`];
  const forwarder = await startForwarder(sshd, forwards, SAME_CIPHER, [port]);
  const dial = dialer(port);
  return { name: "openssh", pid: forwarder.pid, port, dial, stop: forwarder.stop };
}

const hopTallies = new Map<string, HopTally>();

/** 500 round trips through `entry`, captured into its hop tally. */
function capturedRoundTrips(entry: Entry): Promise<number[]> {
  const tally = hopTallies.get(entry.name) ?? emptyTally();
  hopTallies.set(entry.name, tally);
  const ports = { listen: entry.port, sshd: sshd.port, target: echo.port };
  return capturedHops(tally, ports, { forwarder: entry.pid, sshd: sshdPid }, () => roundTrips(entry.dial, 500));
}

const only = process.env.PROBE_ONLY;
const entries = [...(only !== "openssh" ? [await warren()] : []), ...(only !== "warren" ? [await openssh()] : [])];
try {
  if (!latencyOnly) for (const entry of entries) await download(entry.dial, 128 * 1024 * 1024);
  for (let run = 0; run < runs; run++) {
    for (const entry of entries) {
      if (latencyOnly) {
        const samples = await roundTrips(entry.dial, 510);
        const measured = hopsWanted ? await capturedRoundTrips(entry) : samples.slice(10);
        const cpu = cpuSeconds(entry.pid);
        console.log(
          `${entry.name.padEnd(8)} p50 ${percentile(measured, 50).toFixed(3)} ms, p99 ${percentile(measured, 99).toFixed(3)} ms (${cpu.toFixed(2)} CPU-s so far)`,
        );
        continue;
      }
      const [threads, cpu, sshdCpu, started] = [threadCpuTimes(entry.pid), cpuSeconds(entry.pid), treeCpuSeconds(sshdPid), performance.now()];
      if (process.env.PROBE_PARALLEL === "1") await Promise.all(Array.from({ length: 8 }, () => download(entry.dial, bytes / 8)));
      else await download(entry.dial, bytes);
      const [seconds, gigabytes] = [(performance.now() - started) / 1000, bytes / 1e9];
      const perGb = (value: number) => (value / gigabytes).toFixed(3);
      console.log(
        `${entry.name.padEnd(8)} ${(bytes / 1e6 / seconds).toFixed(0)} MB/s, CPU-s per GB ${perGb(cpuSeconds(entry.pid) - cpu)}, sshd ${perGb(treeCpuSeconds(sshdPid) - sshdCpu)}`,
      );
      console.log(`         ${threadReport(threads, threadCpuTimes(entry.pid), gigabytes)}`);
    }
  }
  if (hopsWanted) console.log(`\n${hopTable(hopTallies)}`);
} finally {
  await Promise.all(entries.map((entry) => entry.stop()));
  await Promise.all([sshd.dispose(), bulk.close(), echo.close()]);
}
