// One person's SOCKS requests by a name whose DNS answer takes 3 s, while
// another tunnel through the same host carries a request/response exchange
// (a Redis ping, say): the exchange's round trips, through Warren (its pool
// keeps name lookups on a connection of their own), through Warren with one
// SSH connection per host (WARREN_SSH_CONNECTIONS_PER_HOST=1), and through
// separate `ssh -D` and `ssh -L` processes, in one run. sshd resolves through
// a DNS server of the bench's (slow-dns.ts). A benchmark, not a test: it prints figures.
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { apiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitForPort } from "@/tests/harness/free-port";
import { startEchoServer } from "@/tests/harness/origin";
import { hostInput, type SshdHandle, startSshd } from "@/tests/harness/sshd";
import { startWarren } from "@/tests/harness/warren";
import { startSlowDns } from "./slow-dns.ts";
import { percentile } from "./stats.ts";

const RESOLVER = "127.0.0.77";
const SLOW_NAME = "slow.bench.test";
const DELAY_MS = 3_000;
/** How long the round trips are sampled, with slow lookups in flight all along. */
const SAMPLE_MS = Number(process.env.BENCH_NAME_LOOKUP_SECONDS ?? 12) * 1000;
const SAMPLE_EVERY_MS = 10;
/** Slow lookups kept in flight at once. */
const LOOKUPS = 2;

/** SOCKS5 CONNECT to SLOW_NAME:port through the proxy; resolves when it is answered (or fails). */
function slowRequest(proxyPort: number, port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port: proxyPort });
    const name = Buffer.from(SLOW_NAME);
    socket.write(Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 0xff])]));
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= 12) socket.destroy();
    });
    socket.once("error", () => {});
    socket.once("close", () => resolve());
  });
}

/** Round trips (ms) of one byte on one open connection through `port`, while LOOKUPS slow lookups are in flight through `proxyPort`. */
async function roundTrips(port: number, proxyPort: number, echoPort: number): Promise<number[]> {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  const ping = () =>
    new Promise<number>((resolve) => {
      const started = process.hrtime.bigint();
      socket.once("data", () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
      socket.write("x");
    });
  await ping();
  let sampling = true;
  const lookups = Array.from({ length: LOOKUPS }, async (_, i) => {
    await sleep((i * DELAY_MS) / LOOKUPS); // spread out, so one is always waiting
    while (sampling) await slowRequest(proxyPort, echoPort);
  });
  await sleep(200); // the first lookup is under way
  const samples: number[] = [];
  const until = Date.now() + SAMPLE_MS;
  while (Date.now() < until) {
    samples.push(await ping());
    await sleep(SAMPLE_EVERY_MS);
  }
  sampling = false;
  socket.destroy();
  await Promise.all(lookups);
  return samples;
}

const summary = (samples: number[]) =>
  `p50 ${percentile(samples, 50).toFixed(1)} ms, p99 ${percentile(samples, 99).toFixed(1)} ms, max ${Math.max(...samples).toFixed(0)} ms (${samples.length} round trips)`;

/** Warren with a dynamic tunnel and a local one to the echo server, through `sshd`. */
async function throughWarren(sshd: SshdHandle, echoPort: number, env: Record<string, string> = {}): Promise<number[]> {
  const warren = await startWarren({ env });
  try {
    await warren.createUser({ email: "bench@example.com", password: "correct horse battery", admin: true });
    const api = apiClient(warren.url, await warren.createToken("bench@example.com"));
    const host = await api.post<{ id: string }>("/hosts", { name: "bench", ...hostInput(sshd) });
    const [socks, local] = [await freePortInRange(), await freePortInRange()];
    await api.post("/tunnels", { kind: "dynamic", hostId: host.body.id, listen: { port: socks } });
    await api.post("/tunnels", { kind: "local", hostId: host.body.id, listen: { port: local }, target: { host: "127.0.0.1", port: echoPort } });
    return await roundTrips(local, socks, echoPort);
  } finally {
    await warren.dispose();
  }
}

async function throughSsh(sshd: SshdHandle, echoPort: number): Promise<number[]> {
  const [socks, local] = [await freePortInRange(), await freePortInRange()];
  const args = sshd.sshArgs();
  const children: ChildProcess[] = [
    spawn("ssh", [...args.slice(0, -1), "-N", "-D", `127.0.0.1:${socks}`, args.at(-1)!], { stdio: "ignore" }),
    spawn("ssh", [...args.slice(0, -1), "-N", "-L", `127.0.0.1:${local}:127.0.0.1:${echoPort}`, args.at(-1)!], { stdio: "ignore" }),
  ];
  try {
    await Promise.all([waitForPort(socks), waitForPort(local)]);
    return await roundTrips(local, socks, echoPort);
  } finally {
    for (const child of children) child.kill("SIGKILL");
  }
}

async function main() {
  const dns = await startSlowDns({ address: RESOLVER, slowName: SLOW_NAME, delayMs: DELAY_MS });
  const [sshd, echo] = await Promise.all([startSshd({ resolver: RESOLVER }), startEchoServer()]);
  try {
    const ssh = await throughSsh(sshd, echo.port);
    const pooled = await throughWarren(sshd, echo.port);
    const single = await throughWarren(sshd, echo.port, { WARREN_SSH_CONNECTIONS_PER_HOST: "1" });
    const ratio = (samples: number[]) => `${(percentile(samples, 99) / percentile(ssh, 99)).toFixed(2)}× ssh's p99`;
    console.log(
      [
        `a slow name lookup (${DELAY_MS / 1000} s) on one dynamic tunnel, ${LOOKUPS} in flight: another tunnel's round trip through the same host, loopback:`,
        `  Warren (a pool per host, names on their own connection): ${summary(pooled)}; ${ratio(pooled)}`,
        `  Warren, one SSH connection per host: ${summary(single)}; ${ratio(single)}`,
        `  separate ssh -D and ssh -L processes: ${summary(ssh)}`,
      ].join("\n"),
    );
  } finally {
    await Promise.all([sshd.dispose(), echo.close(), dns.close()]);
  }
}

await main();
