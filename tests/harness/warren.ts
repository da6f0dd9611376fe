// Starts a real Warren (server/index.ts, production build) on a free port
// with a fresh data directory, for integration and end-to-end tests.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port";
import { databaseEnvFor } from "./postgresql";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

export type CliResult = { code: number | null; stdout: string; stderr: string };

export type WarrenHandle = {
  url: string;
  port: number;
  /** The server's own process (node itself, no npm or shell in between), for /proc/<pid>/status and stat. */
  pid: number | undefined;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logs(): string;
  /** Runs `npm run warren -- ...` against this instance's database; `input` goes to its standard input. */
  cli(args: string[], input?: string): Promise<CliResult>;
  createUser(input: { email: string; password: string; admin?: boolean }): Promise<void>;
  createToken(email: string): Promise<string>;
  /** SIGTERM; resolves with the exit code and how long the drain took. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  kill(): Promise<void>;
  dispose(): Promise<void>;
};

/** Files bound over /etc/hosts and /etc/resolv.conf for Warren alone (a private mount namespace, root only):
 *  what its names resolve to, changed by rewriting the files in place while it runs. */
export type EtcFiles = { hosts: string; resolvConf: string };

function run(args: string[], env: NodeJS.ProcessEnv, netns?: string, etc?: EtcFiles, stdin: "ignore" | "pipe" = "ignore"): ChildProcess {
  // `node --import tsx` rather than `npm start`: one process, so signals reach Warren itself.
  // PROF_DIR: the server writes a V8 CPU profile there when it exits (for tuning with the benches).
  const profile = process.env.PROF_DIR && args[0] === "server/index.ts" ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROF_DIR}`] : [];
  const node = [...profile, "--import", "tsx", ...args];
  const options: SpawnOptions = { cwd: REPO_ROOT, env, stdio: [stdin, "pipe", "pipe"] };
  // `ip netns exec`, unshare and sh all exec their command, so the child is still that one process.
  if (etc) {
    const bind = 'mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/resolv.conf && shift && exec "$@"';
    return spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c", bind, etc.hosts, etc.resolvConf, process.execPath, ...node], options);
  }
  return netns === undefined ? spawn(process.execPath, node, options) : spawn("ip", ["netns", "exec", netns, process.execPath, ...node], options);
}

function collect(child: ChildProcess): () => string {
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => output;
}

/** `input`: written to its standard input (for `--password-stdin`). */
export function runProcess(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = run(args, env, undefined, undefined, input === undefined ? "ignore" : "pipe");
    child.stdin?.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitForHealth(url: string, child: ChildProcess, logs: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Warren exited with ${child.exitCode} during start:\n${logs()}`);
    const ok = await fetch(`${url}/api/v1/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`Warren did not become healthy within ${timeoutMs} ms:\n${logs()}`);
}

export type WarrenOptions = {
  env?: Record<string, string | undefined>;
  dataDir?: string;
  port?: number;
  /** Network namespace to run the server in (`ip netns exec`, root only); the CLI stays in the caller's. */
  netns?: string;
  /** Address Warren listens on (HOST) and the caller reaches it at; default 127.0.0.1. */
  host?: string;
  /** Its own /etc/hosts and /etc/resolv.conf (not with `netns`). */
  etc?: EtcFiles;
};

/** `dataDir` and `port` restart a Warren that was stopped, on its old data. */
export async function startWarren(options: WarrenOptions = {}): Promise<WarrenHandle> {
  if (!existsSync(path.join(REPO_ROOT, ".next", "BUILD_ID"))) {
    throw new Error("Warren is not built: run `npm run build` before the integration and e2e tests");
  }
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), "warren-data-")));
  const port = options.port ?? (await freePort());
  const host = options.host ?? "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: host,
    PORT: String(port),
    WARREN_DATA_DIR: dataDir,
    WARREN_PUBLIC_URL: url,
    ...(await databaseEnvFor(dataDir)),
    ...options.env,
    // Always the built Warren (vitest's NODE_ENV is "test"): Next refuses a
    // second development server in one directory, and the SQLite and
    // PostgreSQL runs start Warrens at the same time.
    NODE_ENV: "production",
  };
  const child = run(["server/index.ts"], env, options.netns, options.etc);
  const logs = collect(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  await waitForHealth(url, child, logs);

  const cli = (args: string[], input?: string) => runProcess(["bin/warren.ts", ...args], env, input);
  const cliOrThrow = async (args: string[], input?: string) => {
    const result = await cli(args, input);
    if (result.code !== 0) throw new Error(`warren ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return result;
  };
  const stop = async () => {
    const started = Date.now();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const result = await exited;
    return { ...result, ms: Date.now() - started };
  };
  return {
    url,
    port,
    pid: child.pid,
    dataDir,
    env,
    logs,
    cli,
    async createUser({ email, password, admin }) {
      await cliOrThrow(["user", "create", "--email", email, "--password-stdin", ...(admin ? ["--admin"] : [])], `${password}\n`);
    },
    async createToken(email) {
      return (await cliOrThrow(["token", "create", "--email", email])).stdout.trim();
    },
    stop,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async dispose() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
