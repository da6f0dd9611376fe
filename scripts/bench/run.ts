// `npm run bench`: Warren's tunnels against OpenSSH's own through the same
// sshd, and direct TCP as the ceiling, on loopback. Writes a markdown table
// and JSON to bench/results/latest*.{md,json} and appends the run to
// bench/results/history.jsonl (history.ts). See config.ts for BENCH_QUICK,
// BENCH_RUNS, BENCH_KINDS and BENCH_ONLY, own-netns.ts for BENCH_TCP_CC.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startEchoServer } from "@/tests/harness/origin";
import { startSshd } from "@/tests/harness/sshd";
import { REPO_ROOT } from "@/tests/harness/warren";
import { evaluateTargets } from "./checks.ts";
import { recordRun, variantSuffix } from "./history.ts";
import { benchConfig, type BenchConfig } from "./config.ts";
import { benchControl } from "./control-plane.ts";
import { benchKind } from "./data-plane.ts";
import { machine, versions } from "./environment.ts";
import { negotiatedCipher, SAME_CIPHER } from "./openssh.ts";
import { ownNetnsCongestionControl, rerunInOwnNetns } from "./own-netns.ts";
import { Recorder } from "./recorder.ts";
import { renderReport } from "./report.ts";
import type { BenchResults } from "./results.ts";
import { startBulkSource } from "./traffic.ts";
import { addHost, startBenchWarren, warrenCipher } from "./warren-side.ts";

const RESULTS_DIR = path.join(REPO_ROOT, "bench", "results");

/** latest.* (what docs/performance.md links) is only ever a run of the whole
 *  workload on the machine's own TCP; a quick, narrowed (BENCH_ONLY,
 *  BENCH_KINDS) or BENCH_TCP_CC run goes to latest-quick.*, latest-partial.*
 *  or latest-<algorithm>.* instead. Every run is appended to the history. */
async function writeResults(results: BenchResults): Promise<string> {
  const cc = ownNetnsCongestionControl();
  const partial = results.measurements.length === 0 || process.env.BENCH_ONLY !== undefined || process.env.BENCH_KINDS !== undefined;
  const suffix = variantSuffix([results.quick && "quick", partial && "partial", cc]);
  return recordRun(RESULTS_DIR, { startedAt: results.startedAt, suffix, markdown: renderReport(results), results });
}

async function bench(config: BenchConfig): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const recorder = new Recorder();
  const sshd = await startSshd();
  const [bulk, echo] = await Promise.all([startBulkSource(), startEchoServer({ host: "127.0.0.1" })]);
  const warren = await startBenchWarren();
  try {
    const sshdPid = Number(await readFile(path.join(sshd.dir, "sshd.pid"), "utf8"));
    const ciphers = {
      warren: await warrenCipher(sshd),
      openssh: await negotiatedCipher(sshd, SAME_CIPHER),
      opensshDefault: await negotiatedCipher(sshd, null),
    };
    const hostId = await addHost(warren.api, sshd, "bench-data");
    for (const kind of config.kinds) {
      console.log(`${kind} tunnels`);
      await benchKind({ config, sshd, sshdPid, warren, hostId, targets: { bulk: bulk.port, echo: echo.port }, recorder }, kind);
    }
    console.log("control plane and idle tunnels");
    // A host of its own, so that no other tunnel keeps its SSH connection up between cold opens.
    await benchControl({ config, warren, hostId: await addHost(warren.api, sshd, "bench-control"), echoPort: echo.port, recorder });
    const { quick, kinds: _kinds, sections: _sections, hops: _hops, ...workload } = config;
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      quick,
      machine: machine(),
      versions: versions(),
      ciphers,
      workload,
      measurements: recorder.measurements,
      errorSamples: recorder.errorSamples,
      checks: evaluateTargets(recorder.measurements),
    };
  } finally {
    await warren.handle.dispose();
    await Promise.all([sshd.dispose(), bulk.close(), echo.close()]);
  }
}

rerunInOwnNetns();
const results = await bench(benchConfig());
const file = await writeResults(results);
console.log(`\n${renderReport(results)}\nwritten to ${path.relative(REPO_ROOT, file)}`);
