// The laptop client as a person gets it: downloaded from Warren's
// /cli/warren.mjs into a folder of its own and run with Node, with a HOME of
// its own (where `login` keeps its credentials).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "./free-port";

export type ClientRun = { code: number | null; stdout: string; stderr: string };

export type LaptopClient = {
  home: string;
  /** Runs a command to its end. */
  run(args: string[], env?: Record<string, string | undefined>): Promise<ClientRun>;
  /** Starts a long-running command (connect); the caller stops it. */
  start(args: string[], env?: Record<string, string | undefined>): ChildProcess;
  dispose(): void;
};

/** A running `warren connect`: the local port it listens on, and all it printed so far. */
export type Connected = { port: number; child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Starts `warren connect <tunnelId>` against `url` and waits until it listens. */
export async function startConnect(
  laptop: LaptopClient,
  { tunnelId, url, token, extra = [] }: { tunnelId: string; url: string; token: string; extra?: string[] },
) {
  const child = laptop.start(["connect", tunnelId, "--url", url, "--token", token, "--verbose", ...extra]);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const found = await waitFor(
      () => Promise.resolve(output),
      (text) => /listening on 127\.0\.0\.1:\d+/.test(text) || child.exitCode !== null,
      20_000,
      "connect listening",
    );
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(found)?.[1];
    if (!port) throw new Error(`connect did not start: ${found}`);
    const connected: Connected = { port: Number(port), child, output: () => output, exited };
    return connected;
  } catch (error) {
    child.kill();
    throw error;
  }
}

export async function downloadClient(warrenUrl: string): Promise<LaptopClient> {
  const response = await fetch(new URL("/cli/warren.mjs", warrenUrl));
  if (!response.ok) throw new Error(`GET /cli/warren.mjs answered ${response.status}`);
  const dir = mkdtempSync(path.join(tmpdir(), "warren-laptop-"));
  const home = path.join(dir, "home");
  const script = path.join(dir, "warren.mjs");
  writeFileSync(script, Buffer.from(await response.arrayBuffer()));
  // Only what a laptop's shell would have: no WARREN_* from the test's own environment.
  const base: NodeJS.ProcessEnv = { NODE_ENV: "production", PATH: process.env.PATH, HOME: home };
  const start = (args: string[], env: Record<string, string | undefined> = {}) =>
    spawn(process.execPath, [script, ...args], { cwd: dir, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return {
    home,
    start,
    run(args, env) {
      const child = start(args, env);
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
