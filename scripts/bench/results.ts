// The shape of one bench run as written to bench/results/latest*.json and
// history.jsonl, and what each figure means. Every figure keeps one value per run.

export const KINDS = ["local", "remote", "dynamic"] as const;
export type Kind = (typeof KINDS)[number];

/** Ways through: Warren, OpenSSH with Warren's cipher, OpenSSH's default, and no tunnel at all. */
export const PATHS = ["warren", "openssh", "openssh-default", "direct"] as const;
export type PathName = (typeof PATHS)[number];

export type MetricId =
  | "throughput"
  | "throughput-parallel"
  | "latency-p50"
  | "latency-p99"
  | "concurrent-errors"
  | "concurrent-throughput"
  | "concurrent-peak-rss"
  | "cpu-per-gb"
  | "sshd-cpu-per-gb"
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

export const METRIC_TITLES: Record<MetricId, (w: Workload) => string> = {
  throughput: (w) => `Throughput, one ${size(w.streamBytes)} stream (MB/s)`,
  "throughput-parallel": (w) => `Throughput, ${w.parallelStreams} parallel streams of ${size(w.streamBytes / w.parallelStreams)}, aggregate (MB/s)`,
  "latency-p50": (w) => `New connection + 1-byte request/response, p50 of ${w.latencyConnections} (ms)`,
  "latency-p99": (w) => `New connection + 1-byte request/response, p99 of ${w.latencyConnections} (ms)`,
  "concurrent-errors": (w) => `${w.concurrentConnections} concurrent connections × ${size(w.concurrentBytes)}: failed connections`,
  "concurrent-throughput": (w) => `${w.concurrentConnections} concurrent connections × ${size(w.concurrentBytes)}: aggregate (MB/s)`,
  "concurrent-peak-rss": (w) => `${w.concurrentConnections} concurrent connections: peak RSS of the forwarding process (MB)`,
  "cpu-per-gb": () => "CPU seconds per GB, forwarding process (Warren or ssh), one stream",
  "sshd-cpu-per-gb": () => "CPU seconds per GB, sshd's side of the same transfer",
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
