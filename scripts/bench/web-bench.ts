// A web tunnel's app host against `ssh -L` to the same app, from this
// machine's loopback through the same sshd, in one run: one download and one
// upload of BENCH_WEB_MIB MiB (default 256), 500 sequential small GETs on one
// kept-alive connection (p50, p99), and 200 concurrent GETs of 16 KiB with a
// fresh connection each (total time). Warren's side is HTTP to its own port
// with the app host in Host and the app's session cookie (after the sign-in
// handoff, as a browser does it); the app is reached over the tunnel's SSH
// link through data-plane streams, no bastion port. `ssh -L` is plain HTTP to
// its forwarded port, with Warren's cipher. Also the CPU per MB of each
// process on the path during the streams. A benchmark, not a test: it prints
// figures.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import path from "node:path";
import { apiClient } from "@/tests/harness/api-client";
import { freePort } from "@/tests/harness/free-port";
import { signInCookie } from "@/tests/harness/sign-in";
import { type SshdHandle, startSshd, hostInput } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";
import { type Forwarder, negotiatedCipher, SAME_CIPHER, startForwarder } from "./openssh.ts";
import { cpuSeconds, treeCpuSeconds } from "./proc.ts";

const STREAM_BYTES = Number(process.env.BENCH_WEB_MIB ?? 256) * 1024 * 1024;
const ROUND_TRIPS = 500;
const WARM_UP = 20;
const SMALL_BYTES = 100;
const CONCURRENT = 200;
const CONCURRENT_BYTES = 16 * 1024;
const DOMAIN = "apps.localhost";
const password = "correct horse battery";
const chunk = randomBytes(1024 * 1024);

const elapsedMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

/** Writes `bytes` of `chunk` to `out` as fast as it takes them, then ends it. */
function sendBytes(out: ServerResponse | http.ClientRequest, bytes: number) {
  let left = bytes;
  const more = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!out.write(piece)) return void out.once("drain", more);
    }
    out.end();
  };
  more();
}

/** The app: GET /bytes?n=N answers N bytes; POST /sink reads the body and answers its length. */
function startApp(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://app");
    if (req.method === "GET" && url.pathname === "/bytes") {
      const n = Number(url.searchParams.get("n") ?? 0);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": n });
      return sendBytes(res, n);
    }
    if (req.method === "POST" && url.pathname === "/sink") {
      let length = 0;
      req.on("data", (data: Buffer) => (length += data.length));
      req.once("end", () => res.writeHead(200, { "content-type": "text/plain" }).end(String(length)));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** How a path is reached: an agent whose connections go to `port`, and the headers every request carries. */
type Path = { agent: http.Agent; headers: Record<string, string> };

/** An agent connecting to 127.0.0.1:port whatever the request's Host says. */
function agentTo(port: number, keepAlive: boolean): http.Agent {
  return new (class extends http.Agent {
    override createConnection() {
      return net.connect({ host: "127.0.0.1", port });
    }
  })({ keepAlive, maxSockets: keepAlive ? 1 : Number.POSITIVE_INFINITY });
}

type Answer = { status: number; headers: IncomingHttpHeaders; bytes: number; body: string; reused: boolean };

/** One request on `via`; the body is counted, and kept (as text) only when short. */
function request(via: Path, pathname: string, options: { method?: string; headers?: Record<string, string>; upload?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent: via.agent,
        host: "127.0.0.1",
        path: pathname,
        method: options.method ?? "GET",
        headers: { ...via.headers, ...options.headers, ...(options.upload === undefined ? {} : { "content-length": String(options.upload) }) },
      },
      (res: IncomingMessage) => {
        let bytes = 0;
        const kept: Buffer[] = [];
        res.on("data", (data: Buffer) => {
          bytes += data.length;
          if (bytes <= 4096) kept.push(data);
        });
        res.once("error", reject);
        res.once("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body: Buffer.concat(kept).toString(), reused: req.reusedSocket }),
        );
      },
    );
    req.once("error", reject);
    if (options.upload === undefined) req.end();
    else sendBytes(req, options.upload);
  });
}

const cookieOf = (answer: Answer, name: string) =>
  (answer.headers["set-cookie"] ?? []).map((line) => line.split(";")[0]!).find((pair) => pair.startsWith(`${name}=`) && pair.length > name.length + 1);

/** The browser's sign-in handoff at `appUrl`: app host → Warren's /apps/launch → /.warren/auth; the app host's session cookie. */
async function openApp(warrenPort: number, appUrl: string, warrenSession: string): Promise<string> {
  const agent = agentTo(warrenPort, false);
  const at = (url: string, cookie?: string) => {
    const target = new URL(url);
    return request({ agent, headers: { host: target.host, ...(cookie ? { cookie } : {}) } }, target.pathname + target.search);
  };
  try {
    const first = await at(`${appUrl}/`);
    const state = cookieOf(first, "warren-app-state");
    if (first.status !== 303 || !state) throw new Error(`the app host answered ${first.status} without a state cookie: ${first.body}`);
    const launch = await at(first.headers.location!, warrenSession);
    if (launch.status !== 303) throw new Error(`/apps/launch answered ${launch.status}: ${launch.body}`);
    const auth = await at(launch.headers.location!, state);
    const session = cookieOf(auth, "warren-app");
    if (auth.status !== 303 || !session) throw new Error(`/.warren/auth answered ${auth.status}: ${auth.body}`);
    return session;
  } finally {
    agent.destroy();
  }
}

/** MB/s of one download (GET /bytes) or one upload (POST /sink) of STREAM_BYTES. */
async function throughput(via: Path, way: "down" | "up"): Promise<number> {
  const started = process.hrtime.bigint();
  const answer =
    way === "down"
      ? await request(via, `/bytes?n=${STREAM_BYTES}`)
      : await request(via, "/sink", { method: "POST", headers: { "content-type": "application/octet-stream" }, upload: STREAM_BYTES });
  const seconds = elapsedMs(started) / 1000;
  const moved = way === "down" ? answer.bytes : Number(answer.body);
  if (answer.status !== 200 || moved !== STREAM_BYTES) throw new Error(`${way}: ${answer.status}, ${moved} of ${STREAM_BYTES} bytes`);
  return STREAM_BYTES / 1e6 / seconds;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** ms of each of ROUND_TRIPS sequential GETs of SMALL_BYTES after WARM_UP unmeasured ones, on one kept-alive connection; `connections`: new ones among the measured. */
async function roundTrips(via: Path): Promise<{ p50: number; p99: number; connections: number }> {
  const times: number[] = [];
  let connections = 0;
  for (let i = 0; i < WARM_UP + ROUND_TRIPS; i += 1) {
    const started = process.hrtime.bigint();
    const answer = await request(via, `/bytes?n=${SMALL_BYTES}`);
    const ms = elapsedMs(started);
    if (answer.status !== 200 || answer.bytes !== SMALL_BYTES) throw new Error(`round trip: ${answer.status}, ${answer.bytes} bytes`);
    if (i < WARM_UP) continue;
    times.push(ms);
    if (!answer.reused) connections += 1;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), connections };
}

/** ms until all of CONCURRENT GETs of CONCURRENT_BYTES, each on a new connection, are answered; and how many failed. */
async function concurrent(via: Path): Promise<{ ms: number; failed: number }> {
  const started = process.hrtime.bigint();
  const results = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => request(via, `/bytes?n=${CONCURRENT_BYTES}`)));
  const ms = elapsedMs(started);
  const failed = results.filter((result) => result.status === "rejected" || result.value.status !== 200 || result.value.bytes !== CONCURRENT_BYTES).length;
  return { ms, failed };
}

async function main() {
  let sshd: SshdHandle | undefined;
  let warren: WarrenHandle | undefined;
  let app: http.Server | undefined;
  let forwarder: Forwarder | undefined;
  const agents: http.Agent[] = [];
  try {
    app = await startApp();
    const appPort = (app.address() as AddressInfo).port;
    sshd = await startSshd();
    warren = await startWarren({ env: { WARREN_APPS_DOMAIN: DOMAIN } });
    await warren.createUser({ email: "bench@example.com", password, admin: true });
    const warrenSession = await signInCookie(warren.url, "bench@example.com", password);
    const api = apiClient(warren.url, await warren.createToken("bench@example.com"));
    const host = await api.post<{ id: string }>("/hosts", {
      name: "bench",
      ...hostInput(sshd),
    });
    if (host.status !== 201) throw new Error(`POST /hosts answered ${host.status}: ${JSON.stringify(host.body)}`);
    const tunnel = await api.post<{ id: string; webUrl: string }>("/tunnels", {
      hostId: host.body.id,
      kind: "local",
      name: "bench",
      target: { host: "127.0.0.1", port: appPort },
      web: { scheme: "http" },
    });
    if (tunnel.status !== 201) throw new Error(`POST /tunnels answered ${tunnel.status}: ${JSON.stringify(tunnel.body)}`);
    const appCookie = await openApp(warren.port, new URL(tunnel.body.webUrl).origin, warrenSession);

    const sshPort = await freePort();
    forwarder = await startForwarder(sshd, ["-L", `127.0.0.1:${sshPort}:127.0.0.1:${appPort}`], SAME_CIPHER, [sshPort]);
    const cipher = await negotiatedCipher(sshd, SAME_CIPHER);

    const paths = (keepAlive: boolean) => {
      const warrenAgent = agentTo(warren!.port, keepAlive);
      const sshAgent = agentTo(sshPort, keepAlive);
      agents.push(warrenAgent, sshAgent);
      return {
        warren: { agent: warrenAgent, headers: { host: new URL(tunnel.body.webUrl).host, cookie: appCookie } },
        ssh: { agent: sshAgent, headers: { host: `127.0.0.1:${appPort}` } },
      };
    };
    const kept = paths(true);
    const fresh = paths(false);

    // CPU ms per MB of each process on the path while a stream runs: on two cores, throughput follows it.
    const sshdPid = Number(readFileSync(path.join(sshd.dir, "sshd.pid"), "utf8"));
    const pidsOf = { warren: { Warren: warren.pid!, sshd: sshdPid }, ssh: { ssh: forwarder.pid, sshd: sshdPid } };
    const cpuOf = (pids: Record<string, number>) =>
      Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, name === "sshd" ? treeCpuSeconds(pid) : cpuSeconds(pid)]));
    const cpuRows: string[] = [];
    const stream = async (which: "warren" | "ssh", way: "down" | "up") => {
      const before = cpuOf(pidsOf[which]);
      const own = process.cpuUsage();
      const mbps = await throughput(kept[which], way);
      const after = cpuOf(pidsOf[which]);
      const per = (seconds: number) => ((seconds * 1000) / (STREAM_BYTES / 1e6)).toFixed(2);
      const ownSeconds = Object.values(process.cpuUsage(own)).reduce((sum, us) => sum + us, 0) / 1e6;
      const spent = Object.keys(pidsOf[which]).map((name) => `${name} ${per(after[name]! - before[name]!)}`);
      cpuRows.push(`${way === "down" ? "download" : "upload"}, ${which === "warren" ? "Warren" : "ssh -L"}: ${spent.join(", ")}, the bench ${per(ownSeconds)}`);
      return mbps;
    };

    const rows: [string, string, string, string][] = [];
    const mbps = (value: number) => `${value.toFixed(1)} MB/s`;
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    const ratio = (warrenValue: number, sshValue: number) => `${(warrenValue / sshValue).toFixed(2)}×`;
    for (const way of ["down", "up"] as const) {
      const ssh = await stream("ssh", way);
      const viaWarren = await stream("warren", way);
      rows.push([
        `${way === "down" ? "download" : "upload"}, one request, ${STREAM_BYTES / 1024 / 1024} MiB`,
        mbps(viaWarren),
        mbps(ssh),
        ratio(viaWarren, ssh),
      ]);
    }
    const sshTrips = await roundTrips(kept.ssh);
    const warrenTrips = await roundTrips(kept.warren);
    if (sshTrips.connections !== 0 || warrenTrips.connections !== 0) {
      throw new Error(`round trips opened ${warrenTrips.connections} (Warren) and ${sshTrips.connections} (ssh -L) new connections, not none`);
    }
    rows.push([`GET ${SMALL_BYTES} B, kept alive, p50`, ms(warrenTrips.p50), ms(sshTrips.p50), ratio(warrenTrips.p50, sshTrips.p50)]);
    rows.push([`GET ${SMALL_BYTES} B, kept alive, p99`, ms(warrenTrips.p99), ms(sshTrips.p99), ratio(warrenTrips.p99, sshTrips.p99)]);
    const sshMany = await concurrent(fresh.ssh);
    const warrenMany = await concurrent(fresh.warren);
    rows.push([`${CONCURRENT} concurrent GETs of 16 KiB, new connections`, ms(warrenMany.ms), ms(sshMany.ms), ratio(warrenMany.ms, sshMany.ms)]);
    rows.push([`  failed among ${CONCURRENT}`, String(warrenMany.failed), String(sshMany.failed), ""]);

    const header: readonly string[] = ["measure", "Warren app host", "ssh -L", "Warren / ssh"];
    const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
    const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
    console.log(
      `Web tunnel app host vs ssh -L (${cipher}) to the same app, loopback; ${ROUND_TRIPS} round trips after ${WARM_UP} unmeasured ones:\n` +
        [line(header), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...rows.map(line)].join("\n"),
    );
    console.log(`CPU ms per MB:\n${cpuRows.map((row) => `  ${row}`).join("\n")}`);
  } finally {
    for (const agent of agents) agent.destroy();
    await forwarder?.stop();
    await Promise.all([warren?.dispose(), sshd?.dispose()]);
    if (app) {
      app.closeAllConnections();
      await new Promise((resolve) => app!.close(resolve));
    }
  }
}

await main();
