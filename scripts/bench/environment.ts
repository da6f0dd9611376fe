// The machine and software a bench run measured, for its report.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "@/tests/harness/warren";

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

function sysctl(name: string): string {
  const file = `/proc/sys/${name.replaceAll(".", "/")}`;
  return existsSync(file) ? readFileSync(file, "utf8").trim() : "unknown";
}

export function machine(): Record<string, string> {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  return {
    cpu: `${model}, ${os.cpus().length} cores`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    // Loopback TCP's congestion control moves every figure, so the report
    // names it (docs/performance.md, "What misses"; BENCH_TCP_CC in own-netns.ts).
    "tcp congestion control": sysctl("net.ipv4.tcp_congestion_control"),
  };
}

export function versions(): Record<string, string> {
  const commit = run("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = run("git", ["status", "--porcelain"]) !== "";
  const sshVersion = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim(); // `ssh -V` prints on stderr
  const binding = existsSync(path.join(REPO_ROOT, "node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node"));
  return {
    warren: `${commit}${dirty ? " with uncommitted changes" : ""}`,
    node: process.version,
    ssh2: `${packageVersion("ssh2")} (native crypto binding ${binding ? "built" : "MISSING"})`,
    openssh: sshVersion || "unknown",
  };
}
