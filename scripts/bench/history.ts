// Where a bench run's results go. bench/results/history.jsonl keeps every
// run, one JSON object per line (its name, then the run's own JSON); the
// newest run of each variant is also written out as latest<suffix>.md and
// .json, which the docs link. No dated files: the history is the record.
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const HISTORY_FILE = "history.jsonl";

/** "-load", "-cubic", "-quick", … from the parts that apply ("" for a full
 *  run of the main bench on the machine's own TCP). */
export function variantSuffix(parts: (string | false | null | undefined)[]): string {
  const named = parts.filter((part): part is string => typeof part === "string" && part.length > 0);
  return named.length ? `-${named.join("-")}` : "";
}

/** A run's name: when it started, to the minute, in UTC, and its variant:
 *  2026-12-04T16:19:… → "2026-12-04T1619Z-cubic". */
export function runName(startedAt: string, suffix: string): string {
  return `${startedAt.slice(0, 16).replace(":", "")}Z${suffix}`;
}

/** Writes `latest<suffix>.md` and `.json` in `dir` and appends the run to
 *  history.jsonl; answers the markdown file's path. */
export async function recordRun(dir: string, run: { startedAt: string; suffix: string; markdown: string; results: object }): Promise<string> {
  await mkdir(dir, { recursive: true });
  const latest = path.join(dir, `latest${run.suffix}`);
  await Promise.all([writeFile(`${latest}.md`, run.markdown), writeFile(`${latest}.json`, `${JSON.stringify(run.results, null, 2)}\n`)]);
  await appendFile(path.join(dir, HISTORY_FILE), `${JSON.stringify({ name: runName(run.startedAt, run.suffix), ...run.results })}\n`);
  return `${latest}.md`;
}
