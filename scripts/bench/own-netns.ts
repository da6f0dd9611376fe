// BENCH_TCP_CC: the same bench in a network namespace of its own whose
// loopback TCP uses another congestion control than the machine's. With
// bbr (what these machines default to) every loopback send is paced by
// timers, and sshd's cost depends on who reads. This shows how much of a
// figure is the machine's TCP and how much the forwarder
// (docs/performance.md, "What misses"). Needs root, unshare and ip.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const INSIDE = "BENCH_NETNS_READY";
const ALLOWED = "/proc/sys/net/ipv4/tcp_allowed_congestion_control";

/** A namespace other than the first may only default to an algorithm on the
 *  machine's allowed list (Linux answers EPERM, which `echo` shows as
 *  "I/O error"): adds `cc` there for the run; answers how to put it back. */
function allowCongestionControl(cc: string): () => void {
  const allowed = readFileSync(ALLOWED, "utf8").trim();
  if (allowed.split(/\s+/).includes(cc)) return () => {};
  writeFileSync(ALLOWED, `${allowed} ${cc}`);
  console.log(`BENCH_TCP_CC: added ${cc} to net.ipv4.tcp_allowed_congestion_control for this run (was "${allowed}")`);
  return () => writeFileSync(ALLOWED, allowed);
}

/** The congestion control asked for, once this process runs inside its namespace; null when none was. */
export function ownNetnsCongestionControl(): string | null {
  return process.env[INSIDE] === "1" ? process.env.BENCH_TCP_CC! : null;
}

/** Runs this same command again inside a new network namespace with
 *  BENCH_TCP_CC set there, and exits with its status; returns at once when
 *  there is nothing to do (not asked, or already inside). */
export function rerunInOwnNetns() {
  const cc = process.env.BENCH_TCP_CC;
  if (!cc || process.env[INSIDE] === "1") return;
  if (!/^[a-z0-9_]+$/.test(cc)) throw new Error(`BENCH_TCP_CC: ${cc} is not a congestion control's name (e.g. cubic)`);
  const setUp = 'ip link set lo up && echo "$BENCH_TCP_CC" > /proc/sys/net/ipv4/tcp_congestion_control && exec "$@"';
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const restore = allowCongestionControl(cc);
  const { status, error } = spawnSync("unshare", ["--net", "sh", "-c", setUp, "sh", ...command], { stdio: "inherit", env: { ...process.env, [INSIDE]: "1" } });
  restore();
  if (error) throw new Error(`BENCH_TCP_CC: cannot start a network namespace (${error.message})`);
  process.exit(status ?? 1);
}
