import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { freePort } from "./free-port.ts";

const SSHD = "/usr/sbin/sshd";
const LOG_LINES = 200;
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;

export interface SshdOptions {
  gatewayPorts?: "yes" | "no" | "clientspecified";
  allowTcpForwarding?: "yes" | "no" | "local" | "remote";
  /** Address sshd listens on; default 127.0.0.1. */
  listenAddress?: string;
  /** Fixed port; default a free one (22 inside `netns`, which starts empty). */
  port?: number;
  /**
   * Network namespace to run sshd in (`ip netns exec`, root only). The caller
   * cannot connect into it, so readiness rests on sshd's "Server listening on"
   * line, which it logs only after listen().
   */
  netns?: string;
  /**
   * A nameserver address sshd resolves names through instead of the system's:
   * it runs in a mount namespace of its own (`unshare -m`, root only) where
   * /etc/resolv.conf names only this one. Not with `netns`.
   */
  resolver?: string;
  /** Host key to copy instead of generating one, e.g. another handle's `hostKeyPath`. */
  hostKey?: { privateKeyPath: string };
  /**
   * Extra sshd_config lines. sshd keeps the first value it reads for a keyword,
   * so lines before any `Match` go above the harness defaults (and override
   * them); `Match` blocks go at the end, where sshd requires them. Do not set
   * LogLevel below INFO: startup waits for sshd's "Server listening on" line.
   */
  extraConfig?: string[];
}

/**
 * A real OpenSSH sshd running as a child process.
 *
 * Lifecycle: `stop()` (graceful) or `kill()` (SIGKILL, for fault tests) end the
 * daemon but keep its directory, so `restart()` can bring it back on the same
 * port with the same host key and authorized user key. `dispose()` stops it for
 * good and deletes the directory; call it in afterAll.
 *
 * stop() and kill() also signal every per-connection sshd child: a plain sshd
 * leaves those running (each has its own session), which would keep clients
 * connected to a "dead" server.
 */
export interface SshdHandle {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** Authorized user key, OpenSSH private key format. */
  readonly privateKey: string;
  readonly privateKeyPath: string;
  readonly publicKey: string;
  readonly hostKeyPath: string;
  /** "SHA256:…" exactly as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** Temp dir holding keys, config and pid file. */
  readonly dir: string;
  readonly running: boolean;
  /** Last ~200 lines of sshd output (all runs of this handle). */
  logs(): string;
  /** Arguments for OpenSSH's `ssh` to log in non-interactively; the destination comes last. */
  sshArgs(): string[];
  /** SIGTERM, then SIGKILL after 3 s; resolves once the processes are gone. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now; resolves once the processes are gone. */
  kill(): Promise<void>;
  /** Stops sshd if running, then starts it again on the same port with the same keys. */
  restart(): Promise<void>;
  /** Stops sshd and removes `dir`. Idempotent. */
  dispose(): Promise<void>;
}

interface Keys {
  hostKeyPath: string;
  hostKeyFingerprint: string;
  privateKeyPath: string;
  privateKey: string;
  publicKey: string;
}

const execFileAsync = promisify(execFile);
const liveDaemons = new Set<number>();

// A crashed or aborted test run must not leave sshd listening.
process.once("exit", () => {
  for (const pid of liveDaemons) signalAll([...descendants(pid), pid], "SIGKILL");
});

export async function startSshd(options: SshdOptions = {}): Promise<SshdHandle> {
  // sshd refuses to start without its privilege separation directory.
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(path.join(os.tmpdir(), "warren-sshd-"));
  try {
    const keys = await createKeys(dir, options.hostKey);
    return await listenWithRetry(dir, keys, options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Another process may take a port between freePort() and sshd's bind; pick again then. */
async function listenWithRetry(dir: string, keys: Keys, options: SshdOptions): Promise<Sshd> {
  const host = options.listenAddress ?? "127.0.0.1";
  const fixedPort = options.port ?? (options.netns === undefined ? undefined : 22);
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort(host));
    const sshd = new Sshd(dir, host, port, keys, options.netns, options.resolver);
    await writeFile(sshd.configPath, renderConfig(dir, host, port, keys, options));
    try {
      await sshd.start();
      return sshd;
    } catch (error) {
      const portTaken = sshd.logs().includes("Address already in use");
      if (fixedPort !== undefined || !portTaken || attempt >= 3) throw error;
    }
  }
}

async function createKeys(dir: string, hostKey: SshdOptions["hostKey"]): Promise<Keys> {
  const hostKeyPath = path.join(dir, "ssh_host_ed25519_key");
  const privateKeyPath = path.join(dir, "id_ed25519");
  if (hostKey === undefined) {
    await keygen(hostKeyPath);
  } else {
    await copyFile(hostKey.privateKeyPath, hostKeyPath);
    await chmod(hostKeyPath, 0o600); // sshd ignores group/world-readable host keys
    const { stdout } = await execFileAsync("ssh-keygen", ["-y", "-f", hostKeyPath]);
    await writeFile(`${hostKeyPath}.pub`, stdout);
  }
  await keygen(privateKeyPath);
  const publicKey = await readFile(`${privateKeyPath}.pub`, "utf8");
  await writeFile(path.join(dir, "authorized_keys"), publicKey, { mode: 0o600 });
  const { stdout: fingerprintLine } = await execFileAsync("ssh-keygen", ["-lf", `${hostKeyPath}.pub`]);
  const hostKeyFingerprint = fingerprintLine.trim().split(/\s+/)[1];
  if (hostKeyFingerprint === undefined) throw new Error(`unexpected ssh-keygen -lf output: ${fingerprintLine}`);
  return {
    hostKeyPath,
    hostKeyFingerprint,
    privateKeyPath,
    privateKey: await readFile(privateKeyPath, "utf8"),
    publicKey: publicKey.trim(),
  };
}

async function keygen(file: string): Promise<void> {
  await execFileAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "warren-test", "-f", file]);
}

function renderConfig(dir: string, host: string, port: number, keys: Keys, options: SshdOptions): string {
  const extra = options.extraConfig ?? [];
  const matchAt = extra.findIndex((line) => /^\s*match\s/i.test(line));
  const overrides = matchAt < 0 ? extra : extra.slice(0, matchAt);
  const matchBlocks = matchAt < 0 ? [] : extra.slice(matchAt);
  const lines = [
    ...overrides,
    `Port ${port}`,
    `ListenAddress ${host}`,
    `HostKey ${keys.hostKeyPath}`,
    `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
    `PidFile ${path.join(dir, "sshd.pid")}`,
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin prohibit-password",
    `AllowTcpForwarding ${options.allowTcpForwarding ?? "yes"}`,
    `GatewayPorts ${options.gatewayPorts ?? "no"}`,
    "ClientAliveInterval 5",
    "LogLevel VERBOSE",
    ...matchBlocks,
  ];
  return `${lines.join("\n")}\n`;
}

class Sshd implements SshdHandle {
  readonly username = os.userInfo().username;
  readonly privateKey: string;
  readonly privateKeyPath: string;
  readonly publicKey: string;
  readonly hostKeyPath: string;
  readonly hostKeyFingerprint: string;
  readonly configPath: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly logLines: string[] = [];
  /** Set once this run's sshd logs that it bound the port. */
  private bound = false;
  private disposed = false;

  constructor(
    readonly dir: string,
    readonly host: string,
    readonly port: number,
    keys: Keys,
    private readonly netns?: string,
    private readonly resolver?: string,
  ) {
    this.privateKey = keys.privateKey;
    this.privateKeyPath = keys.privateKeyPath;
    this.publicKey = keys.publicKey;
    this.hostKeyPath = keys.hostKeyPath;
    this.hostKeyFingerprint = keys.hostKeyFingerprint;
    this.configPath = path.join(dir, "sshd_config");
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  logs(): string {
    return this.logLines.join("\n");
  }

  sshArgs(): string[] {
    return [
      "-F",
      "/dev/null", // ignore the user's ~/.ssh/config
      "-i",
      this.privateKeyPath,
      "-p",
      String(this.port),
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "BatchMode=yes",
      "-o",
      "LogLevel=ERROR",
      `${this.username}@${this.host}`,
    ];
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error("sshd handle was disposed");
    const args = ["-D", "-e", "-f", this.configPath];
    const [command, ...rest] = await this.command(args);
    const child = spawn(command!, rest, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.bound = false;
    this.exited = new Promise((resolve) => {
      const onGone = (reason: string) => {
        if (child.pid !== undefined) liveDaemons.delete(child.pid);
        if (this.child === child) this.child = undefined;
        this.log(`[harness] sshd ${reason}`);
        resolve();
      };
      child.once("exit", (code, signal) => onGone(`exited (${signal ?? code})`));
      child.once("error", (error) => onGone(`failed to spawn: ${error.message}`));
    });
    if (child.pid !== undefined) liveDaemons.add(child.pid);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream !== null) createInterface({ input: stream }).on("line", (line) => this.log(line));
    }
    try {
      await this.waitUntilReady();
    } catch (error) {
      await this.kill();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`sshd on ${this.host}:${this.port} did not start: ${reason}\n--- sshd log ---\n${this.logs()}`);
    }
  }

  /** sshd's command line; `ip netns exec`, `unshare` and `exec` exec sshd, so the child's pid is sshd's own. */
  private async command(args: string[]): Promise<string[]> {
    if (this.netns !== undefined) return ["ip", "netns", "exec", this.netns, SSHD, ...args];
    if (this.resolver === undefined) return [SSHD, ...args];
    const script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"';
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, await this.resolvConf(), SSHD, ...args];
  }

  /** The resolv.conf sshd sees with `resolver`. */
  private async resolvConf(): Promise<string> {
    const file = path.join(this.dir, "resolv.conf");
    await writeFile(file, `nameserver ${this.resolver}\noptions timeout:30 attempts:1\n`);
    return file;
  }

  stop(): Promise<void> {
    return this.terminate("SIGTERM", STOP_GRACE_MS);
  }

  kill(): Promise<void> {
    return this.terminate("SIGKILL", 0);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async terminate(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return this.exited;
    // Collect the tree first: once the listener dies its children are reparented.
    const pids = [...descendants(pid), pid];
    signalAll(pids, signal);
    if (!(await allGone(pids, graceMs))) {
      signalAll(pids, "SIGKILL");
      await allGone(pids, STOP_GRACE_MS);
    }
    await this.exited;
  }

  /**
   * A banner alone could come from another process on the same port (sshd then
   * exits with "Address already in use"), so also require our sshd's own
   * "Server listening on" log line.
   */
  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child === undefined) throw new Error("sshd exited during startup");
      if (this.bound && (this.netns !== undefined || (await hasSshBanner(this.host, this.port)))) return;
      await sleep(50);
    }
    throw new Error(`no SSH banner within ${START_TIMEOUT_MS} ms`);
  }

  private log(line: string): void {
    if (line.startsWith("Server listening on ")) this.bound = true;
    this.logLines.push(line);
    if (this.logLines.length > LOG_LINES) this.logLines.splice(0, this.logLines.length - LOG_LINES);
  }
}

/** True if `host:port` greets with an SSH-2.0 identification line. */
function hasSshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let received = "";
    const socket = net.connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.includes("\n")) finish(received.startsWith("SSH-2.0-"));
    });
    socket.once("error", () => finish(false));
    socket.once("end", () => finish(false));
  });
}

/** Linux process table as pid → [parent pid, state letter], read from /proc. */
function processTable(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state, ppid, …
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== undefined && ppid !== undefined) table.set(Number(entry), [Number(ppid), state]);
    } catch {
      // The process exited while we were reading.
    }
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const [pid, [ppid]] of table) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Waits until none of `pids` is alive; zombies count as gone (PID 1 may never reap them). */
async function allGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = processTable();
    const alive = pids.some((pid) => {
      const state = table.get(pid)?.[1];
      return state !== undefined && state !== "Z";
    });
    if (!alive) return true;
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
}

/** What `POST /api/v1/hosts` needs to reach this sshd, its host key pinned: spread it beside a name and any policy. */
export function hostInput(sshd: SshdHandle) {
  return { address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostKeyFingerprint: sshd.hostKeyFingerprint };
}
