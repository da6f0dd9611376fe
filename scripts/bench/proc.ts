// What the bench reads about processes from Linux's /proc: CPU time, RSS (as
// it is, settled, and its peak), and a process's descendants (sshd forks one
// child per connection).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { median } from "./stats.ts";

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

type CpuTimes = { name: string; user: number; system: number };

/** A /proc stat file's command name and its user and system CPU seconds. */
function cpuTimes(statPath: string): CpuTimes {
  const stat = readFileSync(statPath, "utf8");
  // Fields after the parenthesised command name start at field 3 (state); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
}

/** User and system CPU seconds of every thread of `pid` so far. */
export function processCpu(pid: number): { user: number; system: number } {
  return cpuTimes(`/proc/${pid}/stat`);
}

/** User + system CPU seconds of every thread of `pid` so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const { user, system } = processCpu(pid);
    return user + system;
  } catch {
    return 0;
  }
}

/** Each thread of `pid` as "name#tid", with its CPU seconds so far. */
export function threadCpuTimes(pid: number): Map<string, CpuTimes> {
  const times = new Map<string, CpuTimes>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const thread = cpuTimes(`/proc/${pid}/task/${tid}/stat`);
    times.set(`${thread.name}#${tid}`, thread);
  }
  return times;
}

function statusKilobytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}

export const rssBytes = (pid: number) => statusKilobytes(pid, "VmRSS");
export const peakRssBytes = (pid: number) => statusKilobytes(pid, "VmHWM");

const SETTLE_MS = 2_000;

/** RSS once the process has been quiet a while: the median of a few readings. */
export async function settledRss(pid: number): Promise<number> {
  await sleep(SETTLE_MS);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssBytes(pid));
    await sleep(200);
  }
  return median(readings);
}

/** Resets the peak RSS (VmHWM) to the current RSS, so the next peak is one workload's (root only). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/** `pid` and everything it forked, through /proc/<pid>/task/<tid>/children. */
function processTree(pid: number): number[] {
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    const parent = found[i]!;
    try {
      const text = readFileSync(`/proc/${parent}/task/${parent}/children`, "utf8").trim();
      if (text) found.push(...text.split(" ").map(Number));
    } catch {
      // It exited while we looked.
    }
  }
  return found;
}

export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((total, member) => total + cpuSeconds(member), 0);
}
