// The targets, judged on medians of the same run. A target whose
// figures were not measured (BENCH_ONLY) is left out rather than guessed.
import { median } from "./stats.ts";
import { KINDS, type Check, type Kind, type Measurement, type MetricId, type PathName } from "./results.ts";
import { formatNumber } from "./report.ts";

type Find = (metric: MetricId, kind: Kind | null, path: PathName | null) => number[] | undefined;

function finder(measurements: Measurement[]): Find {
  return (metric, kind, path) => measurements.find((m) => m.metric === metric && m.kind === kind && m.path === path)?.values;
}

/** Warren against OpenSSH: `factor` × reference, `atLeast` for throughput, at most for latency;
 *  the reference's own figure is `referenceMetric` when the target compares unlike figures. */
function relative(
  find: Find,
  metric: MetricId,
  kind: Kind,
  reference: PathName,
  factor: number,
  atLeast: boolean,
  label: string,
  referenceMetric: MetricId = metric,
): Check | null {
  const ours = find(metric, kind, "warren");
  const theirs = find(referenceMetric, kind, reference);
  if (!ours || !theirs) return null;
  const [a, b] = [median(ours), median(theirs)];
  const ratio = b === 0 ? Infinity : a / b;
  return {
    target: `${kind}: ${label}`,
    measured: `${formatNumber(a)} vs ${formatNumber(b)} (${ratio === Infinity ? "∞" : ratio.toFixed(2)}×)`,
    holds: atLeast ? a >= factor * b : a <= factor * b,
  };
}

function absolute(find: Find, metric: MetricId, kind: Kind | null, limit: number, label: string, unit: string): Check | null {
  const values = find(metric, kind, "warren");
  if (!values) return null;
  const value = metric === "concurrent-errors" ? Math.max(...values) : median(values);
  return { target: label, measured: `${formatNumber(value)} ${unit}`.trim(), holds: value <= limit };
}

export function evaluateTargets(measurements: Measurement[]): Check[] {
  const find = finder(measurements);
  const checks: (Check | null)[] = [];
  for (const kind of KINDS) {
    checks.push(
      relative(find, "throughput", kind, "openssh", 0.9, true, "one stream ≥ 0.9× OpenSSH, same cipher (MB/s)"),
      relative(find, "throughput", kind, "openssh-default", 1, true, "one stream ≥ OpenSSH default (MB/s)"),
      relative(find, "throughput-parallel", kind, "openssh", 1, true, "parallel streams ≥ 1.0× OpenSSH (MB/s)"),
      relative(find, "latency-p50", kind, "openssh", 1.2, false, "new-connection p50 ≤ 1.2× OpenSSH (ms)"),
      relative(find, "latency-p99", kind, "openssh", 2, false, "new-connection p99 ≤ 2× OpenSSH (ms)"),
      absolute(find, "concurrent-errors", kind, 0, `${kind}: concurrent connections, zero errors (worst run)`, "errors"),
      relative(
        find,
        "fresh-concurrent-rss-growth",
        kind,
        "openssh",
        2,
        false,
        "RSS growth, idle → concurrent connections, ≤ 2× OpenSSH's RSS at the same load (MB)",
        "fresh-concurrent-peak-rss",
      ),
    );
    // The issue sets these for -L; the other kinds' figures are in the tables.
    if (kind === "local") {
      checks.push(
        relative(find, "throughput-upload", kind, "openssh", 0.9, true, "one upload stream ≥ 0.9× OpenSSH, same cipher (MB/s)"),
        relative(find, "fresh-latency-p50", kind, "openssh", 1.5, false, "new-connection p50 on a fresh tunnel ≤ 1.5× OpenSSH (ms)"),
      );
    }
  }
  checks.push(
    absolute(find, "idle-rss-per-tunnel", null, 1, "≤ 1 MB RSS per idle tunnel", "MB"),
    absolute(find, "post-active-cold", null, 500, "POST → active ≤ 500 ms", "ms"),
    absolute(find, "post-active-warm", null, 50, "POST → active ≤ 50 ms with the SSH connection up", "ms"),
    absolute(find, "status-event-p50", null, 200, "status → browser ≤ 200 ms", "ms"),
  );
  return checks.filter((check): check is Check => check !== null);
}
