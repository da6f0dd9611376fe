// What an attacker and a port scanner found at the edges of the data plane,
// through Warren's API, a real OpenSSH sshd and real clients (nc, curl,
// OpenSSH's own ssh -L/-R to compare with): remote targets that are the
// bastion itself, also when a name changes what it resolves to between the
// request and the connection; cloud metadata through SOCKS in every spelling
// sshd's resolver reads; port probes that leave connections open; how a
// failure reaches the client (a reset, never a clean close that looks like
// success) and what is recorded.
//
// Warren runs with its own /etc/hosts and /etc/resolv.conf (a private mount
// namespace), so a test can change what a name resolves to for Warren alone
// and no look-up leaves the machine. The host "meta" is an sshd in a network
// namespace where 169.254.169.254 is a local address serving a fake metadata
// document, so a leak would show, and nothing is sent beyond that namespace.
import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { addNetns, cableToRoot, deleteNetns, deleteStaleNetns, ip, requireNetns, spawnIn } from "@/tests/harness/netns";
import { freePort, freePortInRange, waitFor, waitForPort } from "@/tests/harness/free-port";
import { socksFetch } from "@/tests/harness/socks-fetch";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { REPO_ROOT, startWarren, type WarrenHandle } from "@/tests/harness/warren";

const execFileAsync = promisify(execFile);

type Tunnel = { id: string; status: string; statusReason: string | null; connectionsTotal: number };
type History = { connections: { source: string; destination: string | null; error: string | null }[] };

const TAG = "ec";
const PREFIX = `${TAG}${process.pid}`;
const META_NS = `${PREFIX}-meta`;
const METADATA = "169.254.169.254";

let sshd: SshdHandle;
let meta: SshdHandle;
let metaAddress: string;
let rootSide: string;
let metadataOrigin: ChildProcess | undefined;
let warren: WarrenHandle;
let etcDir: string;
let admin: ApiClient;
let alice: ApiClient;
let bob: ApiClient;
const hostIds = { open: "", lab: "", meta: "" };
const hostsFile = () => path.join(etcDir, "hosts");
const baseHosts = "127.0.0.1 localhost\n::1 localhost\n";

/** A server that answers nothing, ends its side when the client does, and counts connections still open. */
async function countingTarget() {
  let accepted = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted += 1;
    open.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("end", () => socket.end());
    socket.on("close", () => open.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    get open() {
      return open.size;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** How a connection ends for a client that sends `send` (or nothing) and waits:
 *  "reset" (RST), "end" (a clean FIN) with what it received, or "open". */
function ending(port: number, send?: string, host = "127.0.0.1"): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, allowHalfOpen: true });
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("open");
    }, 15_000);
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once("connect", () => send && socket.write(send));
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.once("end", () => done(received ? `end after ${JSON.stringify(received)}` : "end"));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code === "ECONNRESET" ? "reset" : (error.code ?? error.message)));
  });
}

/** OpenSSH's client with one forwarding, through `through`; resolves once it runs. */
async function openSsh(through: SshdHandle, forward: string[]): Promise<ChildProcess> {
  const args = through.sshArgs();
  const child = spawn("ssh", [...args.slice(0, -1), "-N", "-o", "ExitOnForwardFailure=yes", ...forward, args.at(-1)!], { stdio: "ignore" });
  children.push(child);
  return child;
}
const children: ChildProcess[] = [];

async function openTunnel(client: ApiClient, body: object): Promise<Tunnel> {
  const response = await client.post<Tunnel>("/tunnels", body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const historyOf = (client: ApiClient, id: string, count: number, what: string) =>
  waitFor(
    () => client.get<History>(`/tunnels/${id}/history`).then((r) => r.body),
    (h) => h.connections.length >= count,
    20_000,
    what,
  );

async function addHost(name: string, through: SshdHandle, address: string, policy: object = {}) {
  const created = await admin.post<{ id: string }>("/hosts", {
    name,
    address,
    port: through.port,
    username: through.username,
    privateKey: through.privateKey,
    policy,
  });
  if (created.status !== 201) throw new Error(`adding host ${name}: ${JSON.stringify(created.body)}`);
  const test = await admin.post<{ ok: boolean }>(`/hosts/${created.body.id}/test`);
  if (!test.body.ok) throw new Error(`host ${name} does not work: ${JSON.stringify(test.body)}`);
  return created.body.id;
}

/** The meta namespace: an sshd and a fake metadata service on 169.254.169.254 (its loopback), one cable to here. */
async function buildMeta(): Promise<void> {
  await requireNetns();
  await deleteStaleNetns(TAG, PREFIX);
  await addNetns(META_NS);
  ({ root: rootSide, inside: metaAddress } = await cableToRoot(PREFIX, META_NS, "to-root"));
  await ip("-n", META_NS, "addr", "add", `${METADATA}/32`, "dev", "lo");
  metadataOrigin = spawnIn(
    META_NS,
    [process.execPath, "--import", "tsx", "tests/harness/origin-process.ts", "--host", METADATA, "--port", "80", "--size", "64"],
    { cwd: REPO_ROOT },
  );
  await new Promise<void>((resolve, reject) => {
    metadataOrigin!.once("exit", (code) => reject(new Error(`metadata origin exited (${code})`)));
    createInterface({ input: metadataOrigin!.stdout! }).once("line", () => resolve());
  });
}

beforeAll(async () => {
  await buildMeta();
  [sshd, meta] = await Promise.all([startSshd(), startSshd({ netns: META_NS, listenAddress: metaAddress, port: 22 })]);
  etcDir = await mkdtemp(path.join(os.tmpdir(), "warren-etc-"));
  await writeFile(hostsFile(), `${baseHosts}192.0.2.7 rebind.test\n`);
  // Nothing answers DNS there: a name not in the hosts file fails at once, on this machine.
  await writeFile(path.join(etcDir, "resolv.conf"), "nameserver 127.0.0.1\n");
  warren = await startWarren({ etc: { hosts: hostsFile(), resolvConf: path.join(etcDir, "resolv.conf") } });
  for (const who of ["admin", "alice", "bob"])
    await warren.createUser({ email: `${who}@example.com`, password: "correct horse battery", admin: who === "admin" });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  bob = apiClient(warren.url, await warren.createToken("bob@example.com"));
  hostIds.open = await addHost("open", sshd, sshd.host);
  hostIds.lab = await addHost("lab", sshd, sshd.host, { targets: ["127.0.0.0/8"] });
  hostIds.meta = await addHost("meta", meta, metaAddress);
});

afterAll(async () => {
  for (const child of children) child.kill();
  try {
    await Promise.allSettled([warren?.dispose(), sshd?.dispose(), meta?.dispose()]);
    metadataOrigin?.kill();
    if (etcDir) await rm(etcDir, { recursive: true, force: true });
  } finally {
    await deleteNetns(META_NS);
  }
});

describe("a remote tunnel's target, dialled from the bastion", () => {
  it("is refused at request time when it is the bastion itself, unless the host's policy names it", async () => {
    // Bob's SOCKS proxy on the bastion's loopback: what an attacker would browse through.
    const socksPort = await freePortInRange();
    await openTunnel(bob, { hostId: hostIds.open, kind: "dynamic", listen: { port: socksPort } });
    const remote = (host: string, hostId = hostIds.open) => ({
      hostId,
      kind: "remote",
      listen: { address: "127.0.0.1", port: 8080 },
      target: { host, port: socksPort },
    });
    for (const [host, why] of [
      ["127.0.0.1", "127.0.0.1 is the bastion itself (its loopback)"],
      ["127.0.0.2", "127.0.0.2 is the bastion itself (its loopback)"],
      ["::1", "::1 is the bastion itself (its loopback)"],
      ["0.0.0.0", "0.0.0.0 is the bastion itself (the unspecified address, which reaches the bastion itself)"],
      ["0x7f000001", "0x7f000001 is the bastion itself (its loopback)"],
      ["localhost", "localhost resolves to ::1, which is the bastion itself (its loopback)"], // its first address, as the resolver orders them
      [rootSide, `${rootSide} is the bastion itself (an address of its own interfaces)`],
    ]) {
      const refused = await alice.post<ApiErrorBody>("/tunnels", remote(host!));
      expect(refused.status, host).toBe(403);
      expect(refused.body.error).toEqual({
        code: "forbidden",
        field: "target.host",
        message: `${why}; open's policy must name it in its targets to allow that`,
      });
    }
    // The lab host's policy names loopback (127.0.0.0/8): there it is allowed.
    const named = await openTunnel(alice, { ...remote("127.0.0.1", hostIds.lab), listen: { address: "127.0.0.1", port: await freePort() } });
    expect(named.status).toBe("active");
    await alice.delete(`/tunnels/${named.id}`);
  });

  it("is checked again where each connection is dialled, on the address the name resolves to then (DNS rebinding)", async () => {
    const socksPort = await freePortInRange();
    const socks = await openTunnel(bob, { hostId: hostIds.open, kind: "dynamic", listen: { port: socksPort } });
    const remotePort = await freePort();
    // rebind.test is 192.0.2.7 when asked for: not the bastion, so the request passes.
    const tunnel = await openTunnel(alice, {
      hostId: hostIds.open,
      kind: "remote",
      listen: { address: "127.0.0.1", port: remotePort },
      target: { host: "rebind.test", port: socksPort },
    });
    expect(tunnel.status).toBe("active");
    await writeFile(hostsFile(), `${baseHosts}127.0.0.1 rebind.test\n`);
    // A SOCKS greeting through the SSH host's listener: Bob's proxy would answer it.
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port: remotePort });
      let received = "";
      socket.once("connect", () => socket.write(Buffer.from([5, 1, 0])));
      socket.on("data", (chunk: Buffer) => (received += chunk.toString("hex")));
      socket.once("close", () => resolve(received));
      socket.once("error", () => {});
    });
    expect(answer).toBe("");
    const history = await historyOf(alice, tunnel.id, 1, "the refused connection");
    expect(history.connections[0]).toMatchObject({
      destination: `rebind.test:${socksPort}`,
      error: `refused: destination not allowed: rebind.test resolves to 127.0.0.1, which is the bastion itself (its loopback); open's policy must name it in its targets to allow that`,
    });
    expect((await bob.get<Tunnel>(`/tunnels/${socks.id}`)).body.connectionsTotal).toBe(0);
    await writeFile(hostsFile(), `${baseHosts}192.0.2.7 rebind.test\n`);
    await Promise.all([alice.delete(`/tunnels/${tunnel.id}`), bob.delete(`/tunnels/${socks.id}`)]);
  });
});

describe("a SOCKS tunnel", () => {
  it("refuses cloud metadata destinations in every spelling sshd's resolver reads, and records each", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { hostId: hostIds.meta, kind: "dynamic", listen: { port } });
    // curl, a real SOCKS client (it sends the host as typed with socks5h, after normalizing numeric IPv4 forms).
    const curled = [`http://${METADATA}/`, "http://0xa9fea9fe/", "http://[::ffff:169.254.169.254]/"];
    for (const url of curled) {
      const outcome = await execFileAsync("curl", ["-sS", "--http0.9", "--max-time", "10", "--socks5-hostname", `127.0.0.1:${port}`, url]).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: "" }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(outcome.stdout, url).toBe("");
      expect(outcome.code, `${url}: ${outcome.stderr}`).toBe(97); // CURLE_PROXY: the proxy refused
      expect(outcome.stderr).toMatch(/Can't complete SOCKS5 connection to .*\(2\)/); // reply 2: not allowed by the ruleset
    }
    // Spellings a client may send as a domain name, as they are, which sshd's getaddrinfo reads as 169.254.169.254.
    const raw = ["0xa9fea9fe", "2852039166", "0251.0376.0251.0376", "169.254.43518", "0xa9.0xfe.0xa9.0xfe", "::ffff:169.254.169.254", "169.254.169.254."];
    for (const host of raw) {
      const answer = await socksFetch(port, host, 80);
      expect({ host, reply: answer.reply, body: answer.body.length }).toEqual({ host, reply: 2, body: 0 });
    }
    // The first five refusals from a source are recorded one by one, the rest counted into a summary,
    // written at the latest when the tunnel closes.
    await alice.delete(`/tunnels/${tunnel.id}`);
    const history = await historyOf(alice, tunnel.id, 6, "every refusal recorded");
    const single = history.connections.filter((connection) => connection.error?.startsWith("refused: "));
    expect(single).toHaveLength(5);
    for (const connection of single) {
      expect(connection.error).toMatch(/^refused: destination not allowed: \S+ is a cloud metadata address; Warren does not forward to it$/);
    }
    const counted = history.connections
      .filter((connection) => !single.includes(connection))
      .map((connection) => Number(/^refused (\d+) connections from 127\.0\.0\.1 \(counted, not recorded one by one\)/.exec(connection.error ?? "")?.[1]));
    expect(counted.reduce((sum, count) => sum + count, 0)).toBe(curled.length + raw.length - 5);
  });
});

/** `count` port probes (connect, then FIN at once), a few at a time. */
async function probe(port: number, count: number) {
  for (let done = 0; done < count; done += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - done) }, () => execFileAsync("nc", ["-z", "-w", "5", "127.0.0.1", String(port)])));
  }
}

const closeWaits = async (port: number) => (await execFileAsync("ss", ["-Htan", "state", "close-wait", `( sport = :${port} )`])).stdout.trim();

describe("port probes (nc -z)", () => {
  it("leave no connection open at the target nor half-closed in Warren, as with ssh -L", async () => {
    const [throughWarren, throughSsh] = await Promise.all([countingTarget(), countingTarget()]);
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { hostId: hostIds.lab, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: throughWarren.port } });
    const sshPort = await freePort();
    await openSsh(sshd, ["-L", `127.0.0.1:${sshPort}:127.0.0.1:${throughSsh.port}`]);
    await waitForPort(sshPort);
    const probes = 100;
    await Promise.all([probe(port, probes), probe(sshPort, probes)]);
    for (const [what, target] of [
      ["ssh -L", throughSsh],
      ["Warren", throughWarren],
    ] as const) {
      // Every probe reached the target, and each of those connections is closed.
      await waitFor(
        async () => ({ accepted: target.accepted, open: target.open }),
        (t) => t.accepted >= probes && t.open === 0,
        30_000,
        `${what}'s probes closed at the target`,
      );
    }
    expect(await closeWaits(port)).toBe("");
    await alice.delete(`/tunnels/${tunnel.id}`);
    await Promise.all([throughWarren.close(), throughSsh.close()]);
  });
});

describe("a target that cannot be reached", () => {
  it("resets a local tunnel's client that already sent data, and closes on one that sent nothing, as ssh -L does", async () => {
    const closed = await freePort();
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { hostId: hostIds.lab, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: closed } });
    const sshPort = await freePort();
    await openSsh(sshd, ["-L", `127.0.0.1:${sshPort}:127.0.0.1:${closed}`]);
    await waitForPort(sshPort);
    const outcomes = async (at: number) => ({ data: await ending(at, "PING\r\n"), nothing: await ending(at) });
    // Both reset a client whose bytes reached them before the channel open failed (ssh -L by its close() of
    // unread data, Warren on purpose), and end one that sent nothing. On a busy machine the failure can come
    // back before the client's bytes arrive, and then both end it: which one happens is the machine's race.
    for (const outcome of [await outcomes(sshPort), await outcomes(port)]) {
      expect(["reset", "end"]).toContain(outcome.data);
      expect(outcome.nothing).toBe("end");
    }
    const history = await historyOf(alice, tunnel.id, 2, "both failures recorded");
    expect(history.connections.map((c) => c.error)).toEqual(Array(2).fill(`127.0.0.1:${closed} refused the connection (as reached from lab)`));
    await alice.delete(`/tunnels/${tunnel.id}`);
  });

  it("makes a remote tunnel reject its channel, having dialled the target first, as ssh -R does", async () => {
    // One sshd each, so that each log holds only its client's channels.
    const [forSsh, forWarren] = await Promise.all([startSshd(), startSshd()]);
    try {
      const failures = (log: SshdHandle) =>
        log
          .logs()
          .split("\n")
          .filter((line) => /channel \d+: open failed: connect failed/.test(line)).length;
      const closed = await freePort();
      const sshPort = await freePort();
      await openSsh(forSsh, ["-R", `127.0.0.1:${sshPort}:127.0.0.1:${closed}`]);
      await waitForPort(sshPort);
      // OpenSSH's client: sshd is told the channel could not be opened.
      await waitFor(
        async () => failures(forSsh),
        (count) => count === 1,
        10_000,
        "ssh -R's channel open failure in sshd's log",
      );
      const hostId = await addHost("remote-lab", forWarren, forWarren.host, { targets: ["127.0.0.0/8"] });
      const remotePort = await freePort();
      const tunnel = await openTunnel(alice, {
        hostId,
        kind: "remote",
        listen: { address: "127.0.0.1", port: remotePort },
        target: { host: "127.0.0.1", port: closed },
      });
      expect(failures(forWarren)).toBe(0);
      expect(await ending(remotePort, "PING\r\n")).not.toBe("open");
      await waitFor(
        async () => failures(forWarren),
        (count) => count === 1,
        10_000,
        "Warren's channel open failure in sshd's log",
      );
      const history = await historyOf(alice, tunnel.id, 1, "the failure recorded");
      expect(history.connections[0]?.error).toBe(`127.0.0.1:${closed} refused the connection (as reached from the bastion)`);
      await alice.delete(`/tunnels/${tunnel.id}`);
    } finally {
      await Promise.all([forSsh.dispose(), forWarren.dispose()]);
    }
  });

  it("records what sshd said when a local tunnel's target name does not resolve there", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { hostId: hostIds.meta, kind: "local", listen: { port }, target: { host: "nosuch.invalid", port: 80 } });
    expect(await ending(port, "GET / HTTP/1.0\r\n\r\n")).toBe("reset");
    const history = await historyOf(alice, tunnel.id, 1, "the failure recorded");
    expect(history.connections[0]?.error).toMatch(
      /^meta could not connect to nosuch\.invalid:80: (Temporary failure in name resolution|Name or service not known)$/,
    );
    await alice.delete(`/tunnels/${tunnel.id}`);
  });

  it("records that a remote tunnel's target name does not resolve on the bastion", async () => {
    const remotePort = await freePort();
    const tunnel = await openTunnel(alice, {
      hostId: hostIds.open,
      kind: "remote",
      listen: { address: "127.0.0.1", port: remotePort },
      target: { host: "nosuch.invalid", port: 80 },
    });
    expect(await ending(remotePort, "PING\r\n")).not.toBe("open");
    const history = await historyOf(alice, tunnel.id, 1, "the failure recorded");
    expect(history.connections[0]?.error).toBe("nosuch.invalid does not resolve on the bastion (EAI_AGAIN)");
    await alice.delete(`/tunnels/${tunnel.id}`);
  });
});

describe("while the SSH link reconnects", () => {
  it("keeps the listener's port and resets every connection instead of closing it cleanly", async () => {
    const flaky = await startSshd();
    try {
      const hostId = await addHost("flaky", flaky, flaky.host, { targets: ["127.0.0.0/8"] });
      const target = await countingTarget();
      const port = await freePortInRange();
      const tunnel = await openTunnel(alice, { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: target.port } });
      await flaky.kill();
      await waitFor(
        () => alice.get<Tunnel>(`/tunnels/${tunnel.id}`).then((r) => r.body),
        (t) => t.status === "reconnecting",
        30_000,
        "reconnecting",
      );
      expect({ data: await ending(port, "PING\r\n"), nothing: await ending(port) }).toEqual({ data: "reset", nothing: "reset" });
      const history = await historyOf(alice, tunnel.id, 2, "both recorded");
      expect(history.connections.map((c) => c.error)).toEqual(Array(2).fill("the SSH connection to flaky is down; Warren is reconnecting"));
      await alice.delete(`/tunnels/${tunnel.id}`);
      await target.close();
    } finally {
      await flaky.dispose();
    }
  });
});
