// Network namespaces joined by veth pairs: separate "machines" on one box, so
// a test cannot pass just because everything shares one loopback. Root only.
// Namespaces are named `<prefix>-<machine>` with prefix `<tag><pid>`: a later
// run can tell a crashed run's leftovers (its pid is gone) from a live one's.
import { type ChildProcess, execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export async function ip(...args: string[]): Promise<string> {
  try {
    return (await execFileAsync("ip", args)).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(" ")} failed: ${stderr || (error as Error).message}`);
  }
}

/** `ip netns exec` as a prefix for a command. */
const inNetns = (netns: string, command: string[]) => ["netns", "exec", netns, ...command];

/** Runs a command inside `netns` and resolves with its stdout; rejects on a non-zero exit. */
export async function execIn(netns: string, command: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await execFileAsync("ip", inNetns(netns, command), { cwd: options.cwd, timeout: options.timeoutMs ?? 20_000 });
  return stdout;
}

/** Starts a long-running command inside `netns`; `ip netns exec` execs it, so the child's pid is the command's. */
export function spawnIn(netns: string, command: string[], options: { cwd?: string } = {}): ChildProcessWithoutNullStreams {
  return spawn("ip", inNetns(netns, command), { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
}

/** Fails clearly where namespaces cannot exist, instead of letting tests skip or pass vacuously. */
export async function requireNetns(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("network-namespace tests need root (ip netns add); run them as root, as CI does");
  await ip("netns", "list").catch((error: Error) => {
    throw new Error(`network-namespace tests need iproute2's \`ip netns\`: ${error.message}`);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Kills what still runs inside `netns` (a crashed run's daemons), then deletes it with its veth ends. */
export async function deleteNetns(netns: string): Promise<void> {
  const pids = (await ip("netns", "pids", netns).catch(() => "")).split(/\s+/).filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await ip("netns", "del", netns).catch(() => {});
}

/** Deletes namespaces named `<tag><pid>-…` whose run is over (its pid is gone) or that carry `ownPrefix`. */
export async function deleteStaleNetns(tag: string, ownPrefix: string): Promise<void> {
  const names = (await ip("netns", "list")).split("\n").map((line) => line.split(" ")[0] ?? "");
  const pattern = new RegExp(`^${tag}(\\d+)-`);
  const stale = names.filter((name) => {
    const pid = pattern.exec(name)?.[1];
    return pid !== undefined && (name.startsWith(`${ownPrefix}-`) || !alive(Number(pid)));
  });
  await Promise.all(stale.map(deleteNetns));
}

/** A namespace with its loopback up: a fresh one has even `lo` down. */
export async function addNetns(netns: string): Promise<void> {
  await ip("netns", "add", netns);
  await ip("-n", netns, "link", "set", "lo", "up");
}

/** One end of a veth cable: `netns` undefined is the caller's (root) namespace; `address` is CIDR. */
export type VethEnd = { netns?: string; name: string; address: string };

/** A veth pair created straight into its namespaces, so only root-side names must be unique on the box. */
export async function addVeth(a: VethEnd, b: VethEnd): Promise<void> {
  const place = (end: VethEnd) => (end.netns === undefined ? [end.name] : [end.name, "netns", end.netns]);
  await ip("link", "add", ...place(a), "type", "veth", "peer", "name", ...place(b));
  for (const end of [a, b]) {
    const scope = end.netns === undefined ? [] : ["-n", end.netns];
    await ip(...scope, "addr", "add", end.address, "dev", end.name);
    await ip(...scope, "link", "set", end.name, "up");
  }
}

/** IPv4 addresses already assigned in the caller's namespace, e.g. to pick a subnet no one uses. */
export async function rootAddresses(): Promise<string[]> {
  const lines = (await ip("-4", "-o", "addr", "show")).split("\n");
  return lines.flatMap((line) => /\binet (\S+)\//.exec(line)?.[1] ?? []);
}

/** A cable from the caller's namespace to `netns` on a /30 of 10.78.9.0/24 no other run holds: both ends' addresses. */
export async function cableToRoot(rootName: string, netns: string, name: string): Promise<{ root: string; inside: string }> {
  const taken = new Set(await rootAddresses());
  const block = Array.from({ length: 64 }, (_, k) => 4 * k).find((base) => !taken.has(`10.78.9.${base + 1}`));
  if (block === undefined) throw new Error("every /30 in 10.78.9.0/24 is taken in the root namespace");
  const root = `10.78.9.${block + 1}`;
  const inside = `10.78.9.${block + 2}`;
  await addVeth({ name: rootName, address: `${root}/30` }, { netns, name, address: `${inside}/30` });
  return { root, inside };
}

/** A LAN in the caller's namespace: a bridge holding `address` (CIDR), to which cableToBridge plugs namespaces. */
export async function addBridge(name: string, address: string): Promise<void> {
  await ip("link", "add", name, "type", "bridge");
  await ip("addr", "add", address, "dev", name);
  await ip("link", "set", name, "up");
}

/** Plugs `netns` into a bridge: a veth whose root end (`rootName`) is a bridge port, and whose other end holds `address` (CIDR). */
export async function cableToBridge(bridge: string, rootName: string, netns: string, address: string): Promise<void> {
  await ip("link", "add", rootName, "type", "veth", "peer", "name", "lan", "netns", netns);
  await ip("link", "set", rootName, "master", bridge);
  await ip("link", "set", rootName, "up");
  await ip("-n", netns, "addr", "add", address, "dev", "lan");
  await ip("-n", netns, "link", "set", "lan", "up");
}

/** Deletes a link of the caller's namespace (a bridge, a veth's root end) if it is there. */
export const deleteLink = (name: string) => ip("link", "del", name).catch(() => {});

/** Deletes bridges named `<tag><pid>-…` whose run is over: deleting its namespaces leaves a run's bridge behind. */
export async function deleteStaleBridges(tag: string): Promise<void> {
  const names = [...(await ip("-o", "link", "show", "type", "bridge")).matchAll(/^\d+: ([^:@\s]+)/gm)].map((match) => match[1]!);
  const pattern = new RegExp(`^${tag}(\\d+)-`);
  await Promise.all(
    names
      .filter((name) => {
        const pid = pattern.exec(name)?.[1];
        return pid !== undefined && !alive(Number(pid));
      })
      .map(deleteLink),
  );
}

/** A /24 of 10.78.40.0–10.78.79.0 whose first address no bridge or cable in the caller's namespace holds: its prefix, e.g. "10.78.41". */
export async function freeLan(): Promise<string> {
  const taken = new Set(await rootAddresses());
  const third = Array.from({ length: 40 }, (_, k) => 40 + k).find((n) => !taken.has(`10.78.${n}.1`));
  if (third === undefined) throw new Error("every /24 in 10.78.40.0–10.78.79.0 is taken in the root namespace");
  return `10.78.${third}`;
}

/** A test harness script (tests/harness/<script>) as a command line, for spawnIn and execIn from the repo's root. */
export const harnessScript = (script: string, args: string[]) => [process.execPath, "--import", "tsx", `tests/harness/${script}`, ...args];

/** The first line a child prints, within 20 s. */
export function firstLine(child: ChildProcess, what: string): Promise<string> {
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} printed nothing within 20 s: ${stderr}`)), 20_000);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
  });
}
