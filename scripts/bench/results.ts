// The shape of one bench run as written to bench/results/latest*.json and
// history.jsonl, and what each figure means. Every figure keeps one value per run.

export const KINDS = ["local", "remote", "dynamic"] as const;
export type Kind = (typeof KINDS)[number];

/** Ways through: Warren, OpenSSH with Warren's cipher, OpenSSH's default, and no tunnel at all. */
export const PATHS = ["warren", "openssh", "openssh-default", "direct"] as const;
export type PathName = (typeof PATHS)[number];

export type MetricId =
  | "throughput"
  | "cpu-per-gb"
  | "sshd-cpu-per-gb"
  | "throughput-parallel"
  | "cpu-per-gb-parallel"
  | "sshd-cpu-per-gb-parallel"
  | "throughput-upload"
  | "cpu-per-gb-upload"
  | "sshd-cpu-per-gb-upload"
  | "latency-p50"
  | "latency-p99"
  | "concurrent-errors"
  | "concurrent-throughput"
  | "concurrent-peak-rss"
  | "fresh-latency-p50"
  | "fresh-idle-rss"
  | "fresh-concurrent-peak-rss"
  | "fresh-concurrent-rss-growth"
  | "idle-rss-none"
  | "idle-rss-many"
  | "idle-rss-per-tunnel"
  | "post-active-cold"
  | "post-active-warm"
  | "status-event-p50"
  | "status-event-p99"
  | "page-ttfb-p50"
  | "page-load-p50";

export type Measurement = { metric: MetricId; kind: Kind | null; path: PathName | null; values: number[] };

export type Check = { target: string; measured: string; holds: boolean };

export type Workload = {
  runs: number;
  streamBytes: number;
  parallelStreams: number;
  latencyConnections: number;
  /** Unmeasured connections through every path before its latency runs (data-plane.ts says why). */
  latencyWarmUp: number;
  /** Round trips through a fresh tunnel and a new `ssh`, with none before them (data-plane.ts, fresh()). */
  freshConnections: number;
  concurrentConnections: number;
  concurrentBytes: number;
  idleTunnels: number;
  listedTunnels: number;
  controlSamples: number;
};

export type BenchResults = {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: Record<string, string>;
  versions: Record<string, string>;
  ciphers: { warren: string; openssh: string; opensshDefault: string };
  workload: Workload;
  measurements: Measurement[];
  /** Errors seen in the concurrent runs, a few of each kind, for the reader. */
  errorSamples: string[];
  checks: Check[];
};

export const PATH_TITLES: Record<PathName, string> = {
  warren: "Warren",
  openssh: "OpenSSH, same cipher",
  "openssh-default": "OpenSSH default",
  direct: "direct TCP",
};

/** In the order the report lists them. */
export const METRIC_TITLES: Record<MetricId, (w: Workload) => string> = {
  throughput: (w) => `Throughput, one ${size(w.streamBytes)} stream (MB/s)`,
  "cpu-per-gb": () => "CPU seconds per GB, forwarding process (Warren or ssh), one stream",
  "sshd-cpu-per-gb": () => "CPU seconds per GB, sshd's side, one stream",
  "throughput-parallel": (w) => `Throughput, ${w.parallelStreams} parallel streams of ${size(w.streamBytes / w.parallelStreams)}, aggregate (MB/s)`,
  "cpu-per-gb-parallel": (w) => `CPU seconds per GB, forwarding process (Warren or ssh), ${w.parallelStreams} parallel streams`,
  "sshd-cpu-per-gb-parallel": (w) => `CPU seconds per GB, sshd's side, ${w.parallelStreams} parallel streams`,
  "throughput-upload": (w) => `Upload, one ${size(w.streamBytes)} stream from the client to the target (MB/s)`,
  "cpu-per-gb-upload": () => "CPU seconds per GB, forwarding process (Warren or ssh), one upload stream",
  "sshd-cpu-per-gb-upload": () => "CPU seconds per GB, sshd's side, one upload stream",
  "latency-p50": (w) => `New connection + 1-byte request/response, p50 of ${w.latencyConnections} (ms)`,
  "latency-p99": (w) => `New connection + 1-byte request/response, p99 of ${w.latencyConnections} (ms)`,
  "concurrent-errors": (w) => `${w.concurrentConnections} concurrent connections × ${size(w.concurrentBytes)}: failed connections`,
  "concurrent-throughput": (w) => `${w.concurrentConnections} concurrent connections × ${size(w.concurrentBytes)}: aggregate (MB/s)`,
  "concurrent-peak-rss": (w) => `${w.concurrentConnections} concurrent connections: peak RSS of the forwarding process (MB)`,
  "fresh-latency-p50": (w) =>
    `Fresh tunnel (a Warren started for it, a new ssh): new connection + 1-byte request/response with none before, p50 of ${w.freshConnections} (ms)`,
  "fresh-idle-rss": () => "Fresh tunnel: RSS of the forwarding process, settled, no connection yet (MB)",
  "fresh-concurrent-peak-rss": (w) => `Fresh tunnel: peak RSS of the forwarding process, ${w.concurrentConnections} concurrent connections (MB)`,
  "fresh-concurrent-rss-growth": (w) => `Fresh tunnel: RSS growth of the forwarding process, idle → ${w.concurrentConnections} concurrent connections (MB)`,
  "idle-rss-none": () => "Warren RSS, no tunnels (MB)",
  "idle-rss-many": (w) => `Warren RSS, ${w.idleTunnels} idle local tunnels (MB)`,
  "idle-rss-per-tunnel": () => "Warren RSS per idle tunnel (MB)",
  "post-active-cold": (w) => `POST /tunnels → active, SSH connection not up, median of ${w.controlSamples} (ms)`,
  "post-active-warm": (w) => `POST /tunnels → active, SSH connection up, median of ${w.controlSamples} (ms)`,
  "status-event-p50": () => "Status change → socket.io tunnel:status received, p50 (ms)",
  "status-event-p99": () => "Status change → socket.io tunnel:status received, p99 (ms)",
  "page-ttfb-p50": (w) => `Dashboard /tunnels time to first byte, ${w.listedTunnels} tunnels listed, p50 of ${w.controlSamples} (ms)`,
  "page-load-p50": (w) => `Dashboard /tunnels whole document, ${w.listedTunnels} tunnels listed, p50 of ${w.controlSamples} (ms)`,
};

/** 1073741824 → "1 GiB", 1048576 → "1 MiB". */
export function size(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
