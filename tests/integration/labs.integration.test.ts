// The seed article's four labs, plus -D, on separate "machines": network
// namespaces joined by veth pairs, with no IP forwarding and no default route
// anywhere. Warren runs in `bastion`; every payload is fetched from `laptop`,
// which has no route to the servers, so a tunnel that only "works" because
// everything shares one loopback fails here. Each origin serves its own
// seeded 1 MiB, so the checksum also says which machine answered.
//
//   laptop 10.77.1.2 ── 10.77.1.1 bastion 10.77.2.1 ── 10.77.2.2 server 10.77.5.1 ── 10.77.5.2 private
//   laptop 10.77.4.2 ── 10.77.4.1 gateway 10.77.3.2 ── 10.77.3.1 bastion
//   root (this test, API calls only) 10.77.9.x/30 ── bastion
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import type { FetchOutcome } from "@/tests/harness/fetch-process";
import { addNetns, addVeth, deleteNetns, deleteStaleNetns, execIn, requireNetns, rootAddresses, spawnIn } from "@/tests/harness/netns";
import { startSshd, type SshdHandle, type SshdOptions } from "@/tests/harness/sshd";
import { REPO_ROOT, startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Machine = "laptop" | "bastion" | "server" | "private" | "gateway";
type Tunnel = { id: string; status: string; statusReason: string | null; sshCommand: string };

const MACHINES: Machine[] = ["laptop", "bastion", "server", "private", "gateway"];
const TAG = "wl";
// The full pid: a later run deletes these namespaces only once this run is gone.
const PREFIX = `${TAG}${process.pid}`;
const ns = (machine: Machine) => `${PREFIX}-${machine}`;

const BASTION = "10.77.1.1"; // the bastion as the laptop sees it
const SERVER = "10.77.2.2"; // as the bastion sees it
const PRIVATE = "10.77.5.2"; // reached by the server only
const GATEWAY = "10.77.3.2"; // as the bastion sees it
const GATEWAY_PUBLIC = "10.77.4.1"; // the gateway's "internet" side, as the laptop sees it
const CABLES: [Machine, string, Machine, string][] = [
  ["laptop", "10.77.1.2/24", "bastion", `${BASTION}/24`],
  ["bastion", "10.77.2.1/24", "server", `${SERVER}/24`],
  ["server", "10.77.5.1/24", "private", `${PRIVATE}/24`],
  ["bastion", "10.77.3.1/24", "gateway", `${GATEWAY}/24`],
  ["laptop", "10.77.4.2/24", "gateway", `${GATEWAY_PUBLIC}/24`],
];

// Every origin listens on port 80, as in the seed; the seed makes its payload unique.
const ORIGINS = {
  serverLoopback: { machine: "server", host: "127.0.0.1", seed: 1 }, // lab 1: only the server itself reaches it
  serverLan: { machine: "server", host: SERVER, seed: 2 }, // lab 4: a machine on the bastion's private network
  private: { machine: "private", host: PRIVATE, seed: 3 }, // lab 2 and -D: behind the server
  bastionLoopback: { machine: "bastion", host: "127.0.0.1", seed: 4 }, // lab 3: the bastion's own local service
} as const satisfies Record<string, { machine: Machine; host: string; seed: number }>;
type OriginName = keyof typeof ORIGINS;
const ORIGIN_NAMES = Object.keys(ORIGINS) as OriginName[];
const MIB = 1024 * 1024;

const children: ChildProcess[] = [];
const sshds: SshdHandle[] = [];
const sha256Of = new Map<OriginName, string>();
let warren: WarrenHandle | undefined;
let alice: ApiClient;
let bobToken: string;
let teamId: string;
const hostIds = { server: "", gateway: "", gatewayNoGp: "", gatewayStrict: "", gatewayCs: "" };
let admin: ApiClient;
let server: SshdHandle;
let gateway: SshdHandle;
let gatewayNoGp: SshdHandle;
let gatewayCs: SshdHandle;

const nodeScript = (script: string, args: string[]) => [process.execPath, "--import", "tsx", `tests/harness/${script}`, ...args];

/** Connects from inside `machine` and reads until the peer ends; `socks` is "host:port" of a SOCKS5 proxy. */
async function fetchFrom(machine: Machine, host: string, port: number, socks?: string): Promise<FetchOutcome> {
  const args = ["--host", host, "--port", String(port), ...(socks === undefined ? [] : ["--socks", socks])];
  return JSON.parse(await execIn(ns(machine), nodeScript("fetch-process.ts", args), { cwd: REPO_ROOT })) as FetchOutcome;
}

/** An API call made from inside `machine`, so Warren sees that machine's address. */
async function callFrom(
  machine: Machine,
  baseUrl: string,
  token: string,
  method: string,
  path: string,
): Promise<{ status: number; body: { allowedSources?: string[] } }> {
  return JSON.parse(
    await execIn(ns(machine), nodeScript("api-process.ts", ["--url", baseUrl, "--token", token, "--method", method, "--path", path]), { cwd: REPO_ROOT }),
  );
}

const served = (origin: OriginName) => ({ bytes: MIB, sha256: sha256Of.get(origin) });

async function startOriginIn(name: OriginName): Promise<void> {
  const { machine, host, seed } = ORIGINS[name];
  const child = spawnIn(ns(machine), nodeScript("origin-process.ts", ["--host", host, "--port", "80", "--seed", String(seed)]), { cwd: REPO_ROOT });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`origin ${name} not ready within 15 s: ${stderr}`)), 15_000);
    child.once("exit", (code) => reject(new Error(`origin ${name} exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (first) => {
      clearTimeout(timer);
      resolve(first);
    });
  });
  sha256Of.set(name, (JSON.parse(line) as { sha256: string }).sha256);
}

async function buildNetwork(): Promise<string> {
  await requireNetns();
  await deleteStaleNetns(TAG, PREFIX);
  try {
    for (const machine of MACHINES) await addNetns(ns(machine));
    for (const [a, aAddress, b, bAddress] of CABLES) {
      await addVeth({ netns: ns(a), name: `to-${b}`, address: aAddress }, { netns: ns(b), name: `to-${a}`, address: bAddress });
    }
    // A /30 no other run on this box holds, for the test's API calls to Warren.
    const taken = new Set(await rootAddresses());
    const block = Array.from({ length: 64 }, (_, k) => 4 * k).find((base) => !taken.has(`10.77.9.${base + 1}`));
    if (block === undefined) throw new Error("every /30 in 10.77.9.0/24 is taken in the root namespace");
    await addVeth({ name: PREFIX, address: `10.77.9.${block + 1}/30` }, { netns: ns("bastion"), name: "to-tests", address: `10.77.9.${block + 2}/30` });
    return `10.77.9.${block + 2}`;
  } catch (error) {
    throw new Error(`cannot build the lab network: ${(error as Error).message}`);
  }
}

async function addHost(
  admin: ApiClient,
  name: string,
  sshd: SshdHandle,
  address: string,
  { targets = [] as string[], publicBinds = true } = {},
): Promise<string> {
  // The labs listen beyond loopback and let the laptop in: both need the host's policy, as does a
  // remote tunnel to the bastion's own loopback (labs 3 and the GatewayPorts ones).
  const policy = { publicBinds, anySource: true, targets };
  const created = await admin.post<{ id: string }>("/hosts", { name, address, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, policy });
  if (created.status !== 201) throw new Error(`adding host ${name}: ${JSON.stringify(created.body)}`);
  // Trust on first use across the namespaces, and check it is the sshd we started there.
  const test = await admin.post<{ ok: boolean }>(`/hosts/${created.body.id}/test`);
  const host = await admin.get<{ hostKeyFingerprint: string | null }>(`/hosts/${created.body.id}`);
  if (!test.body.ok || host.body.hostKeyFingerprint !== sshd.hostKeyFingerprint) {
    throw new Error(`Warren cannot reach host ${name} at ${address}:${sshd.port}: ${JSON.stringify(test.body)}`);
  }
  return created.body.id;
}

// Who may connect: the laptop (from its bastion and gateway sides) and the gateway itself.
const LAB_SOURCES = ["10.77.1.2/32", "10.77.4.2/32", "127.0.0.1/32"];

async function openTunnel(body: object): Promise<Tunnel> {
  const response = await alice.post<Tunnel>("/tunnels", { allowedSources: LAB_SOURCES, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function closeTunnel(id: string): Promise<void> {
  const closed = await alice.delete<Tunnel>(`/tunnels/${id}`);
  expect(closed.body.status).toBe("closed");
}

beforeAll(async () => {
  const apiAddress = await buildNetwork();
  const startSshdIn = async (machine: Machine, options: SshdOptions) => {
    const sshd = await startSshd({ netns: ns(machine), ...options });
    sshds.push(sshd);
    return sshd;
  };
  [server, gateway, gatewayNoGp, gatewayCs] = await Promise.all([
    startSshdIn("server", { listenAddress: SERVER, port: 22 }),
    startSshdIn("gateway", { listenAddress: GATEWAY, port: 22, gatewayPorts: "yes" }),
    startSshdIn("gateway", { listenAddress: GATEWAY, port: 2222, gatewayPorts: "no" }),
    startSshdIn("gateway", { listenAddress: GATEWAY, port: 2223, gatewayPorts: "clientspecified" }),
    ...ORIGIN_NAMES.map(startOriginIn),
  ]);
  // Listening on every address of the bastion, so that machines other than the test's reach its API as themselves.
  warren = await startWarren({
    netns: ns("bastion"),
    host: apiAddress,
    env: { NODE_ENV: "production", HOST: "0.0.0.0", WARREN_LISTEN_ADDRESSES: `127.0.0.1,${BASTION},0.0.0.0` },
  });
  for (const who of ["admin", "alice", "bob"])
    await warren.createUser({ email: `${who}@example.com`, password: "correct horse battery", admin: who === "admin" });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  bobToken = await warren.createToken("bob@example.com");
  teamId = (await admin.post<{ id: string }>("/teams", { name: "lab", ownerEmail: "alice@example.com" })).body.id;
  await admin.post(`/teams/${teamId}/members`, { email: "bob@example.com" });
  hostIds.server = await addHost(admin, "server", server, SERVER);
  hostIds.gateway = await addHost(admin, "gateway", gateway, GATEWAY, { targets: ["localhost", SERVER] });
  hostIds.gatewayNoGp = await addHost(admin, "gateway-nogp", gatewayNoGp, GATEWAY, { targets: ["localhost"] });
  // The same GatewayPorts-yes sshd, under a policy that keeps listeners on loopback.
  hostIds.gatewayStrict = await addHost(admin, "gateway-strict", gateway, GATEWAY, { targets: ["localhost"], publicBinds: false });
  hostIds.gatewayCs = await addHost(admin, "gateway-cs", gatewayCs, GATEWAY, { targets: ["localhost"] });
});

afterAll(async () => {
  try {
    await Promise.allSettled([
      warren?.dispose(),
      ...sshds.map((sshd) => sshd.dispose()),
      ...children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        return gone;
      }),
    ]);
  } finally {
    // Also kills anything left running inside, even when a stop above failed.
    await Promise.all(MACHINES.map((machine) => deleteNetns(ns(machine))));
  }
});

describe("the lab network", () => {
  it("keeps the machines apart: the laptop reaches the servers only through tunnels", async () => {
    expect(new Set(sha256Of.values()).size).toBe(ORIGIN_NAMES.length);
    const [laptopToServerSsh, laptopToServer, laptopToPrivate, bastionToPrivate, serverToPrivate, bastionToServer] = await Promise.all([
      fetchFrom("laptop", SERVER, 22),
      fetchFrom("laptop", SERVER, 80),
      fetchFrom("laptop", PRIVATE, 80),
      fetchFrom("bastion", PRIVATE, 80),
      fetchFrom("server", PRIVATE, 80),
      fetchFrom("bastion", SERVER, 80),
    ]);
    for (const unreachable of [laptopToServerSsh, laptopToServer, laptopToPrivate, bastionToPrivate]) {
      expect(unreachable).toEqual({ error: "ENETUNREACH" });
    }
    // The paths the labs rely on do exist.
    expect(serverToPrivate).toEqual(served("private"));
    expect(bastionToServer).toEqual(served("serverLan"));
  });
});

describe("lab 1: -L to a service on the SSH host's own loopback", () => {
  it("serves the server's 127.0.0.1:80 on the bastion's laptop-facing address", async () => {
    const tunnel = await openTunnel({
      hostId: hostIds.server,
      kind: "local",
      listen: { address: BASTION, port: 28080 },
      target: { host: "localhost", port: 80 },
    });
    expect(tunnel).toMatchObject({ status: "active", statusReason: null });
    expect(tunnel.sshCommand).toBe(`ssh -N -L ${BASTION}:28080:localhost:80 ${server.username}@${SERVER}`);
    // "localhost" is the server's, not the bastion's (which serves another payload).
    expect(await fetchFrom("laptop", BASTION, 28080)).toEqual(served("serverLoopback"));
    await closeTunnel(tunnel.id);
    expect(await fetchFrom("laptop", BASTION, 28080)).toEqual({ error: "ECONNREFUSED" });
  });
});

describe("lab 2: -L to a machine only the SSH host reaches", () => {
  it("serves private's port 80, which neither the laptop nor the bastion can reach", async () => {
    const tunnel = await openTunnel({ hostId: hostIds.server, kind: "local", listen: { address: BASTION, port: 28081 }, target: { host: PRIVATE, port: 80 } });
    expect(tunnel).toMatchObject({ status: "active", statusReason: null });
    expect(tunnel.sshCommand).toBe(`ssh -N -L ${BASTION}:28081:${PRIVATE}:80 ${server.username}@${SERVER}`);
    expect(await fetchFrom("laptop", BASTION, 28081)).toEqual(served("private"));
    await closeTunnel(tunnel.id);
  });
});

describe("lab 3: -R with GatewayPorts yes and no", () => {
  it("exposes the bastion's local service on the gateway's public side only where GatewayPorts allows", async () => {
    const target = { host: "localhost", port: 80 }; // as reached from the bastion
    const exposed = await openTunnel({ hostId: hostIds.gateway, kind: "remote", listen: { address: "0.0.0.0", port: 8080 }, target });
    const loopbackOnly = await openTunnel({ hostId: hostIds.gatewayNoGp, kind: "remote", listen: { address: "0.0.0.0", port: 8081 }, target });
    expect(exposed).toMatchObject({ status: "active", statusReason: null });
    expect(exposed.sshCommand).toBe(`ssh -N -R 0.0.0.0:8080:localhost:80 ${gateway.username}@${GATEWAY}`);
    expect(loopbackOnly.status).toBe("active");
    expect(loopbackOnly.statusReason).toContain("GatewayPorts off");
    expect(loopbackOnly.sshCommand).toBe(`ssh -N -R 0.0.0.0:8081:localhost:80 -p 2222 ${gatewayNoGp.username}@${GATEWAY}`);

    const [fromInternet, refused, fromGatewayItself] = await Promise.all([
      fetchFrom("laptop", GATEWAY_PUBLIC, 8080),
      fetchFrom("laptop", GATEWAY_PUBLIC, 8081),
      fetchFrom("gateway", "127.0.0.1", 8081),
    ]);
    expect(fromInternet).toEqual(served("bastionLoopback"));
    expect(refused).toEqual({ error: "ECONNREFUSED" });
    // As the warning says: the tunnel works, from the gateway's own loopback only.
    expect(fromGatewayItself).toEqual(served("bastionLoopback"));
    await Promise.all([closeTunnel(exposed.id), closeTunnel(loopbackOnly.id)]);
  });
});

describe("-R 127.0.0.1 on a host whose sshd has GatewayPorts yes", () => {
  const target = { host: "localhost", port: 80 }; // the bastion's own service
  const loopback = (port: number) => ({ kind: "remote", listen: { address: "127.0.0.1", port }, target });

  it("is refused where the policy keeps listeners on loopback: sshd would listen on every address", async () => {
    const tunnel = await openTunnel({ hostId: hostIds.gatewayStrict, ...loopback(8083) });
    expect(tunnel.status).toBe("failed");
    expect(tunnel.statusReason).toContain("gateway-strict's sshd has GatewayPorts yes: 127.0.0.1:8083 is listening on every address of gateway-strict");
    expect(tunnel.statusReason).toContain("GatewayPorts clientspecified");
    // A machine on the gateway's network finds nothing there: the forwarding was cancelled.
    expect(await fetchFrom("laptop", GATEWAY_PUBLIC, 8083)).toEqual({ error: "ECONNREFUSED" });
    const audit = await admin.get<{ events: { action: string; details: { reason?: string } }[] }>(`/audit?tunnelId=${tunnel.id}&action=tunnel.failed`);
    expect(audit.body.events.map((item) => item.details.reason)).toEqual([tunnel.statusReason]);
  });

  it("is shown as public where the policy allows public binds, and the probe is not one of its connections", async () => {
    const tunnel = await openTunnel({ hostId: hostIds.gateway, ...loopback(8084) });
    expect(tunnel.status).toBe("active");
    expect(tunnel.statusReason).toContain("gateway's sshd has GatewayPorts yes: 127.0.0.1:8084 is listening on every address of gateway");
    const history = await alice.get<{ connections: unknown[] }>(`/tunnels/${tunnel.id}/history`);
    expect(history.body.connections).toEqual([]);
    // As the reason says: reachable from the gateway's other network.
    expect(await fetchFrom("laptop", GATEWAY_PUBLIC, 8084)).toEqual(served("bastionLoopback"));

    // Once the policy keeps listeners on loopback, the public bind sshd made goes too.
    expect((await admin.patch(`/hosts/${hostIds.gateway}`, { policy: { publicBinds: false } })).status).toBe(200);
    try {
      const closed = (await alice.get<Tunnel>(`/tunnels/${tunnel.id}`)).body;
      expect(closed.status).toBe("closed");
      expect(closed.statusReason).toContain("closed: gateway's policy no longer allows it: gateway's sshd has GatewayPorts yes");
      expect(await fetchFrom("laptop", GATEWAY_PUBLIC, 8084)).toEqual({ error: "ECONNREFUSED" });
    } finally {
      await admin.patch(`/hosts/${hostIds.gateway}`, { policy: { publicBinds: true } });
    }
  });

  it("stays on loopback with GatewayPorts clientspecified, which still honours 0.0.0.0", async () => {
    const [onLoopback, onEvery] = [
      await openTunnel({ hostId: hostIds.gatewayCs, ...loopback(8085) }),
      await openTunnel({ hostId: hostIds.gatewayCs, kind: "remote", listen: { address: "0.0.0.0", port: 8086 }, target }),
    ];
    expect(onLoopback).toMatchObject({ status: "active", statusReason: null });
    expect(onEvery).toMatchObject({ status: "active", statusReason: null });
    const [fromLaptop, fromGatewayItself, publicOne] = await Promise.all([
      fetchFrom("laptop", GATEWAY_PUBLIC, 8085),
      fetchFrom("gateway", "127.0.0.1", 8085),
      fetchFrom("laptop", GATEWAY_PUBLIC, 8086),
    ]);
    expect(fromLaptop).toEqual({ error: "ECONNREFUSED" });
    expect(fromGatewayItself).toEqual(served("bastionLoopback"));
    expect(publicOne).toEqual(served("bastionLoopback"));
    await Promise.all([closeTunnel(onLoopback.id), closeTunnel(onEvery.id)]);
  });
});

describe("lab 4: -R exposing a server on the bastion's private network", () => {
  it("serves the server's 10.77.2.2:80 on the gateway's public side", async () => {
    const tunnel = await openTunnel({
      hostId: hostIds.gateway,
      kind: "remote",
      listen: { address: "0.0.0.0", port: 8082 },
      target: { host: SERVER, port: 80 },
    });
    expect(tunnel).toMatchObject({ status: "active", statusReason: null });
    expect(tunnel.sshCommand).toBe(`ssh -N -R 0.0.0.0:8082:${SERVER}:80 ${gateway.username}@${GATEWAY}`);
    expect(await fetchFrom("laptop", GATEWAY_PUBLIC, 8082)).toEqual(served("serverLan"));
    await closeTunnel(tunnel.id);
  });
});

describe("-D: a SOCKS5 proxy on the bastion, out through the SSH host", () => {
  it("reaches what the server reaches, names resolved there", async () => {
    const tunnel = await openTunnel({ hostId: hostIds.server, kind: "dynamic", listen: { address: BASTION, port: 21080 } });
    expect(tunnel).toMatchObject({ status: "active", statusReason: null });
    expect(tunnel.sshCommand).toBe(`ssh -N -D ${BASTION}:21080 ${server.username}@${SERVER}`);
    const proxy = `${BASTION}:21080`;
    const [privateServer, serverLoopback] = await Promise.all([fetchFrom("laptop", PRIVATE, 80, proxy), fetchFrom("laptop", "localhost", 80, proxy)]);
    expect(privateServer).toEqual(served("private"));
    expect(serverLoopback).toEqual(served("serverLoopback"));
    await closeTunnel(tunnel.id);
  });
});

describe("a tunnel shared with a team, joined from another machine", () => {
  it("lets in exactly the address the teammate joined from, until the owner removes them", async () => {
    // Alice (on the laptop) shares a tunnel with her team; Bob works from the gateway machine, 10.77.3.2 as the bastion sees it.
    const tunnel = (
      await alice.post<Tunnel & { allowedSources: string[] }>("/tunnels", {
        hostId: hostIds.server,
        kind: "local",
        listen: { address: "0.0.0.0", port: 28090 },
        target: { host: PRIVATE, port: 80 },
        allowedSources: ["10.77.1.2/32"],
        teamId,
      })
    ).body;
    expect(tunnel.status).toBe("active");
    const bobFetch = () => fetchFrom("gateway", "10.77.3.1", 28090);
    const nothingServed = (outcome: FetchOutcome) => "error" in outcome || outcome.bytes === 0;
    expect(await fetchFrom("laptop", BASTION, 28090)).toEqual(served("private"));
    expect(nothingServed(await bobFetch())).toBe(true); // not an allowed source: dropped

    const joined = await callFrom("gateway", `http://10.77.3.1:${warren!.port}`, bobToken, "POST", `/tunnels/${tunnel.id}/join`);
    expect(joined.status).toBe(200);
    expect(joined.body.allowedSources).toEqual(["10.77.1.2/32", "10.77.3.2/32"]);
    expect(await bobFetch()).toEqual(served("private"));

    const bobId = (await callFrom("gateway", `http://10.77.3.1:${warren!.port}`, bobToken, "GET", "/me")) as unknown as { body: { user: { id: string } } };
    expect((await alice.delete(`/tunnels/${tunnel.id}/participants/${bobId.body.user.id}`)).status).toBe(200);
    expect(nothingServed(await bobFetch())).toBe(true);
    expect(await fetchFrom("laptop", BASTION, 28090)).toEqual(served("private"));
    await closeTunnel(tunnel.id);
  });
});
