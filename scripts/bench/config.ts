// How big a bench run is. The default is the full workload;
// BENCH_QUICK=1 is a smoke test (64 MiB streams, one run, fewer connections
// and tunnels). BENCH_RUNS, BENCH_KINDS (local,remote,dynamic) and
// BENCH_ONLY (sections below) narrow a run while tuning; BENCH_HOPS=1
// prints where new connections spend their time (latency-hops.ts).
import { KINDS, type Kind, type Workload } from "./results.ts";

const SECTIONS = ["throughput", "parallel", "upload", "latency", "fresh", "concurrency", "tunnels", "control"] as const;
export type Section = (typeof SECTIONS)[number];

export type BenchConfig = Workload & { quick: boolean; kinds: Kind[]; sections: Set<Section>; hops: boolean };

const MiB = 1024 * 1024;

function list<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T[] {
  if (!value) return [...allowed];
  const items = value.split(",").map((item) => item.trim());
  const unknown = items.filter((item) => !allowed.includes(item as T));
  if (unknown.length) throw new Error(`${name}: unknown ${unknown.join(", ")} (allowed: ${allowed.join(", ")})`);
  return items as T[];
}

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === "1";
  const workload: Workload = quick
    ? {
        runs: 1,
        streamBytes: 64 * MiB,
        parallelStreams: 8,
        latencyConnections: 100,
        latencyWarmUp: 100,
        freshConnections: 100,
        concurrentConnections: 100,
        concurrentBytes: MiB,
        idleTunnels: 20,
        listedTunnels: 50,
        controlSamples: 5,
      }
    : {
        runs: 3,
        streamBytes: 1024 * MiB,
        parallelStreams: 8,
        latencyConnections: 500,
        latencyWarmUp: 2000,
        freshConnections: 300,
        concurrentConnections: 1000,
        concurrentBytes: MiB,
        idleTunnels: 200,
        listedTunnels: 500,
        controlSamples: 20,
      };
  const runs = env.BENCH_RUNS ? Number(env.BENCH_RUNS) : workload.runs;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS: ${env.BENCH_RUNS} is not a positive whole number`);
  return {
    ...workload,
    runs,
    quick,
    kinds: list("BENCH_KINDS", env.BENCH_KINDS, KINDS),
    sections: new Set(list("BENCH_ONLY", env.BENCH_ONLY, SECTIONS)),
    hops: env.BENCH_HOPS === "1",
  };
}
