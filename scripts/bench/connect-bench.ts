// `warren connect` against `ssh -L` from the same "laptop" (this machine's
// loopback) through the same sshd to the same target, in one run: single-stream
// throughput both ways, new-connection round trip p50, 500 concurrent
// connections, and the time from a revocation (closing the tunnel) to the end
// of a live connection. A benchmark, not a test: it prints figures.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import net from "node:net";
import { apiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitForPort } from "@/tests/harness/free-port";
import { downloadClient } from "@/tests/harness/laptop-client";
import { startSshd, hostInput } from "@/tests/harness/sshd";
import { startWarren } from "@/tests/harness/warren";
import { cpuSeconds, treeCpuSeconds } from "./proc.ts";

const STREAM_BYTES = Number(process.env.BENCH_CONNECT_MIB ?? 256) * 1024 * 1024;
const ROUND_TRIPS = 200;
const CONCURRENT = 500;
const chunk = randomBytes(1024 * 1024);

/** Writes STREAM_BYTES to `socket` as fast as it takes them, then ends it. */
function sendStream(socket: net.Socket) {
  let left = STREAM_BYTES;
  const more = () => {
    while (left > 0) {
      left -= chunk.length;
      if (!socket.write(chunk)) return void socket.once("drain", more);
    }
    socket.end();
  };
  more();
}

/** A target that discards what it reads (`sink`), sends STREAM_BYTES and ends (`source`), or echoes (`echo`). */
function startTarget(kind: "sink" | "source" | "echo"): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => socket.destroy());
    if (kind === "echo") return void socket.pipe(socket);
    if (kind === "sink") return void socket.on("data", () => {}).once("end", () => socket.end());
    sendStream(socket);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

/** MB/s of one connection: uploading STREAM_BYTES to the sink, or downloading from the source. */
function throughput(port: number, way: "up" | "down"): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    let received = 0;
    socket.on("data", (data: Buffer) => (received += data.length));
    socket.once("error", reject);
    socket.once("connect", () => {
      if (way === "down") return;
      sendStream(socket);
    });
    socket.once("end", () => {
      socket.end();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve(STREAM_BYTES / 1e6 / seconds);
    });
  });
}

/** ms from connect to the first echoed byte, then a clean close. */
function roundTrip(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => socket.write("x"));
    socket.once("data", () => {
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
      socket.end();
    });
    socket.once("error", reject);
  });
}

async function p50(port: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i += 1) times.push(await roundTrip(port));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

async function concurrent(port: number): Promise<number> {
  const results = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => roundTrip(port)));
  return results.filter((result) => result.status === "rejected").length;
}

function startConnectClient(script: string, home: string, tunnelId: string, url: string, token: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [script, "connect", tunnelId, "--url", url, "--token", token], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { NODE_ENV: "production", PATH: process.env.PATH, HOME: home },
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (data: Buffer) => {
      output += data.toString();
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port) resolve({ port: Number(port), child });
    });
    child.once("exit", (code) => reject(new Error(`connect exited ${code}: ${output}`)));
  });
}

async function main() {
  const [sshd, warren] = await Promise.all([startSshd(), startWarren()]);
  const children: ChildProcess[] = [];
  try {
    await warren.createUser({ email: "bench@example.com", password: "correct horse battery", admin: true });
    const token = await warren.createToken("bench@example.com");
    const api = apiClient(warren.url, token);
    const host = await api.post<{ id: string }>("/hosts", {
      name: "bench",
      ...hostInput(sshd),
    });
    const laptop = await downloadClient(warren.url);
    const script = `${laptop.home.replace(/\/home$/, "")}/warren.mjs`;
    const targets = { sink: await startTarget("sink"), source: await startTarget("source"), echo: await startTarget("echo") };
    const rows: string[] = [];
    const ports: Record<string, { connect: number; ssh: number; tunnelId: string; client: number; sshPid: number; bastion: number }> = {};
    for (const [name, target] of Object.entries(targets)) {
      const bastionPort = await freePortInRange();
      const tunnel = await api.post<{ id: string }>("/tunnels", {
        kind: "local",
        hostId: host.body.id,
        listen: { port: bastionPort },
        target: { host: "127.0.0.1", port: target },
      });
      const connected = await startConnectClient(script, laptop.home, tunnel.body.id, warren.url, token);
      children.push(connected.child);
      const sshPort = await freePortInRange();
      const args = sshd.sshArgs();
      const ssh = spawn("ssh", [...args.slice(0, -1), "-N", "-L", `127.0.0.1:${sshPort}:127.0.0.1:${target}`, args.at(-1)!], { stdio: "ignore" });
      children.push(ssh);
      await waitForPort(sshPort);
      ports[name] = { connect: connected.port, ssh: sshPort, tunnelId: tunnel.body.id, client: connected.child.pid!, sshPid: ssh.pid!, bastion: bastionPort };
    }
    const both = async (what: string, measure: (port: number) => Promise<number>, ports_: { connect: number; ssh: number }, unit: string) => {
      const ssh = await measure(ports_.ssh);
      const connect = await measure(ports_.connect);
      const ratio = unit ? ` (${(connect / ssh).toFixed(2)}×)` : "";
      rows.push(`${what}: connect ${connect.toFixed(1)}${unit && ` ${unit}`}, ssh -L ${ssh.toFixed(1)}${unit && ` ${unit}`}${ratio}`);
    };
    // Where a stream's CPU goes, per process, in ms per MB: on a machine with fewer cores than busy processes, throughput follows it.
    const sshdPid = Number(readFileSync(path.join(sshd.dir, "sshd.pid"), "utf8"));
    const cpuOf = (pids: Record<string, number>) =>
      Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, name === "sshd" ? treeCpuSeconds(pid) : cpuSeconds(pid)]));
    const cpuPerMb = async (what: string, way: "up" | "down", ports_: { connect: number; ssh: number; client: number; sshPid: number }) => {
      const paths = {
        "ssh -L": { port: ports_.ssh, pids: { ssh: ports_.sshPid, sshd: sshdPid } },
        connect: { port: ports_.connect, pids: { client: ports_.client, Warren: warren.pid!, sshd: sshdPid } },
      };
      const parts: string[] = [];
      for (const [name, { port, pids }] of Object.entries(paths)) {
        const before = cpuOf(pids);
        const own = process.cpuUsage();
        await throughput(port, way);
        const after = cpuOf(pids);
        const ownSeconds = Object.values(process.cpuUsage(own)).reduce((sum, us) => sum + us, 0) / 1e6;
        const per = (seconds: number) => ((seconds * 1000) / (STREAM_BYTES / 1e6)).toFixed(2);
        const spent = Object.keys(pids).map((key) => `${key} ${per(after[key]! - before[key]!)}`);
        parts.push(`${name}: ${spent.join(", ")}, the bench ${per(ownSeconds)}`);
      }
      rows.push(`CPU ms per MB, ${what}: ${parts.join("; ")}`);
    };
    await both("upload, one stream", (port) => throughput(port, "up"), ports.sink!, "MB/s");
    await both("download, one stream", (port) => throughput(port, "down"), ports.source!, "MB/s");
    await cpuPerMb("upload", "up", ports.sink!);
    await cpuPerMb("download", "down", ports.source!);
    await both("new connection round trip p50", p50, ports.echo!, "ms");
    // The same tunnel through its listener on the bastion: what connect adds on top of Warren's own path.
    rows.push(`  the same through the tunnel's bastion listener: ${(await p50(ports.echo!.bastion)).toFixed(1)} ms`);
    await both(`errors among ${CONCURRENT} concurrent connections`, concurrent, ports.echo!, "");
    // Revocation: a live connection through connect, then the tunnel is closed.
    const live = net.connect({ port: ports.echo!.connect, host: "127.0.0.1" });
    live.on("error", () => {});
    await new Promise<void>((resolve) => {
      live.once("data", () => resolve());
      live.write("x");
    });
    const ended = new Promise<bigint>((resolve) => live.once("close", () => resolve(process.hrtime.bigint())));
    const asked = process.hrtime.bigint();
    await api.delete(`/tunnels/${ports.echo!.tunnelId}`);
    const answered = process.hrtime.bigint();
    rows.push(
      `revocation (DELETE /tunnels/:id) to the end of a live connection: ${(Number((await ended) - asked) / 1e6).toFixed(0)} ms (the DELETE answered after ${(Number(answered - asked) / 1e6).toFixed(0)} ms)`,
    );
    console.log(`warren connect vs ssh -L, ${STREAM_BYTES / 1024 / 1024} MiB streams, loopback:\n${rows.map((row) => `  ${row}`).join("\n")}`);
    laptop.dispose();
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all([warren.dispose(), sshd.dispose()]);
  }
}

await main();
