// Renders a bench run as markdown: the targets, then one table per figure
// (kinds down, ways through across), each cell min / median / max over runs.
import { ratioOfMedians, spread } from "./stats.ts";
import { KINDS, METRIC_TITLES, PATH_TITLES, PATHS, size, type BenchResults, type Measurement, type MetricId } from "./results.ts";

export type Align = "left" | "right";

/** Three significant figures, without exponent notation: 5195, 781, 41.3, 0.59, 0.0412. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0 || Math.abs(value) >= 100) return Math.round(value).toString();
  return Number(value.toPrecision(3)).toString();
}

export function formatSpread(values: readonly number[]): string {
  const { min, median, max } = spread(values);
  return values.length === 1 ? formatNumber(median) : `${formatNumber(min)} / **${formatNumber(median)}** / ${formatNumber(max)}`;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const rule = headers.map((_, i) => (align[i] === "right" ? "---:" : "---"));
  const line = (cells: readonly string[]) => `| ${headers.map((_, i) => escapeCell(cells[i] ?? "")).join(" | ")} |`;
  return [line(headers), `| ${rule.join(" | ")} |`, ...rows.map(line)].join("\n");
}

function perKindTable(metric: MetricId, measurements: Measurement[]): string {
  const of = measurements.filter((m) => m.metric === metric);
  const paths = PATHS.filter((path) => of.some((m) => m.path === path));
  const values = (kind: string, path: string) => of.find((m) => m.kind === kind && m.path === path)?.values;
  const rows = KINDS.filter((kind) => of.some((m) => m.kind === kind)).map((kind) => {
    const ours = values(kind, "warren");
    const theirs = values(kind, "openssh");
    const ratio = ours && theirs ? ratioOfMedians(ours, theirs) : null;
    return [kind, ...paths.map((path) => (values(kind, path) ? formatSpread(values(kind, path)!) : "–")), ratio === null ? "–" : `${ratio.toFixed(2)}×`];
  });
  const headers = ["kind", ...paths.map((path) => PATH_TITLES[path]), "Warren ÷ OpenSSH"];
  return markdownTable(
    headers,
    rows,
    headers.map((_, i) => (i === 0 ? "left" : "right")),
  );
}

function warrenOnlyTable(results: BenchResults, metrics: Measurement[]): string {
  const rows = metrics.map((m) => [METRIC_TITLES[m.metric](results.workload), formatSpread(m.values)]);
  return markdownTable(["figure", "Warren"], rows, ["left", "right"]);
}

function header(results: BenchResults): string[] {
  const w = results.workload;
  const facts = (record: Record<string, string>) =>
    Object.entries(record)
      .map(([key, value]) => `${key} ${value}`)
      .join("; ");
  return [
    `# Warren bench, ${results.startedAt.slice(0, 16).replace("T", " ")} UTC${results.quick ? " (quick run: not the issue's workload)" : ""}`,
    "",
    `- Machine: ${facts(results.machine)}.`,
    `- Versions: ${facts(results.versions)}.`,
    `- Ciphers: Warren (ssh2) negotiated \`${results.ciphers.warren}\`; "OpenSSH, same cipher" is \`ssh -c ${results.ciphers.openssh}\`; "OpenSSH default" negotiated \`${results.ciphers.opensshDefault}\`. All through the same sshd on loopback.`,
    `- Workload: ${w.runs} run(s) of each figure, interleaved; ${size(w.streamBytes)} per stream (after one unmeasured transfer in each direction measured, a quarter of that, at most 256 MiB, through every path); ${w.latencyConnections} sequential new connections (after ${w.latencyWarmUp} unmeasured ones through every path); in each run, a fresh tunnel (a Warren started for it, a new ssh): its RSS settled, ${w.freshConnections} new connections with none before, then the concurrent ones; ${w.concurrentConnections} concurrent × ${size(w.concurrentBytes)}; ${w.idleTunnels} idle tunnels; ${w.listedTunnels} tunnels listed.`,
    "- Each cell is min / **median** / max over the runs. MB = 10⁶ bytes, GB = 10⁹ bytes.",
  ];
}

export function renderReport(results: BenchResults): string {
  const lines = header(results);
  if (results.checks.length) {
    const rows = results.checks.map((check) => [check.target, check.measured, check.holds ? "yes" : "**no**"]);
    lines.push("", "## Targets (medians; Warren vs reference)", "", markdownTable(["target", "measured", "holds"], rows));
  }
  const metrics = (Object.keys(METRIC_TITLES) as MetricId[]).filter((metric) => results.measurements.some((m) => m.metric === metric));
  const perKind = metrics.filter((metric) => results.measurements.some((m) => m.metric === metric && m.kind !== null));
  if (perKind.length) lines.push("", "## Data plane");
  for (const metric of perKind) lines.push("", `### ${METRIC_TITLES[metric](results.workload)}`, "", perKindTable(metric, results.measurements));
  const warrenOnly = results.measurements.filter((m) => m.kind === null);
  if (warrenOnly.length) lines.push("", "## Memory and control plane", "", warrenOnlyTable(results, warrenOnly));
  if (results.errorSamples.length) lines.push("", "## Errors seen", "", ...results.errorSamples.map((error) => `- ${error}`));
  return `${lines.join("\n")}\n`;
}
