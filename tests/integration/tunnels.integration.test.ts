// The tunnel engine through the public API alone, against a real OpenSSH
// sshd: each kind carries 1 MiB intact, counters count it, closing removes
// the listener, bad input and busy ports get clear errors, and sshd death and
// Warren restarts heal by themselves.
import { createHash } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { freePort, freePortInRange, waitFor } from "@/tests/harness/free-port";
import { fetchAll, startOrigin, type Origin } from "@/tests/harness/origin";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { socksFetch } from "@/tests/harness/socks-fetch";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { eachEvent } from "@/tests/harness/socket-events";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = {
  id: string;
  status: string;
  statusReason: string | null;
  listen: { address: string; port: number };
  sshCommand: string;
  bytesIn: number;
  bytesOut: number;
  connections: number;
  connectionsTotal: number;
};
type Host = {
  id: string;
  address: string;
  port: number;
  username: string;
  hostKeyFingerprint: string | null;
  hostKeyStatus: string;
  hostKeyOrigin: "pinned" | "first_use" | null;
  publicKey: string;
  openTunnels: number;
  lastTest: { at: string; ok: boolean; message: string } | null;
  link: string | null;
};
type HostTest = { ok: boolean; checks: { step: string; ok: boolean; message: string }[] };
type AuditEvents = { events: { action: string; details: Record<string, unknown> }[] };

let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
let admin: ApiClient;
let alice: ApiClient;
let bob: ApiClient;
let hostId: string;
const password = "correct horse battery";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function createClient(email: string, isAdmin = false) {
  await warren.createUser({ email, password, admin: isAdmin });
  return apiClient(warren.url, await warren.createToken(email));
}

async function openTunnel(client: ApiClient, body: object) {
  const response = await client.post<Tunnel>("/tunnels", { hostId, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const tunnelState = (client: ApiClient, id: string) => client.get<Tunnel>(`/tunnels/${id}`).then((r) => r.body);

/** True when nothing listens on the port. A reset is a listener that answered: while the
 *  SSH link is down Warren takes a connection and resets it, sometimes before the client sees it open. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin({ size: 1024 * 1024 })]);
  // Refusal summaries every 2 s rather than every minute, so a test sees several.
  warren = await startWarren({ env: { WARREN_REFUSAL_SUMMARY_SECONDS: "2" } });
  admin = await createClient("admin@example.com", true);
  alice = await createClient("alice@example.com");
  bob = await createClient("bob@example.com");
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

describe("hosts", () => {
  it("are added by admins with an uploaded key that never comes back", async () => {
    // Remote tunnels here lead to the origin on the bastion's own loopback, which the policy must name.
    const policy = { targets: ["127.0.0.1", "localhost"] };
    const body = { name: "lab-sshd", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, policy };
    expect((await alice.post<ApiErrorBody>("/hosts", body)).status).toBe(403);
    const created = await admin.post<Host>("/hosts", body);
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain("PRIVATE KEY");
    expect(created.body).toMatchObject({ hostKeyStatus: "unverified", hostKeyFingerprint: null, hostKeyOrigin: null, lastTest: null, link: null });
    expect(created.body.publicKey).toBe(sshd.publicKey.trim().split(" ").slice(0, 2).join(" "));
    hostId = created.body.id;
    const listed = await alice.get<{ hosts: object[] }>("/hosts");
    expect(JSON.stringify(listed.body)).not.toMatch(/PRIVATE KEY|privateKeyEnc|passphrase/);
  });

  it("refuse bad bodies naming the field, and duplicate names with 409", async () => {
    const missing = await admin.post<ApiErrorBody>("/hosts", { name: "x", address: "127.0.0.1", username: "root" });
    expect(missing.status).toBe(422);
    expect(missing.body.error.field).toBe("privateKey");
    const garbage = await admin.post<ApiErrorBody>("/hosts", {
      name: "y",
      address: "127.0.0.1",
      username: "root",
      privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n-----END OPENSSH PRIVATE KEY-----",
    });
    expect(garbage.status).toBe(422);
    expect(garbage.body.error.field).toBe("privateKey");
    const duplicate = await admin.post<ApiErrorBody>("/hosts", { name: "lab-sshd", address: "127.0.0.1", username: "root", generateKey: true });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.field).toBe("name");
  });

  it("generate a key pair on request and answer the public half", async () => {
    const created = await admin.post<Host>("/hosts", { name: "generated", address: "127.0.0.1", port: sshd.port, username: "nobody", generateKey: true });
    expect(created.status).toBe(201);
    expect(created.body.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ warren@generated$/);
    // That key is not installed anywhere yet: the test names the failing step.
    const test = await admin.post<{ ok: boolean; checks: { step: string; ok: boolean; message: string }[] }>(`/hosts/${created.body.id}/test`);
    expect(test.body.ok).toBe(false);
    expect(test.body.checks.at(-1)).toMatchObject({ step: "authentication", ok: false });
    expect(test.body.checks.at(-1)?.message).toContain("rejected Warren's key for user nobody");
    // The host key step it passed recorded the key (first use), as the check says.
    expect(test.body.checks.find((check) => check.step === "host-key")).toMatchObject({
      ok: true,
      message: `recorded ${sshd.hostKeyFingerprint} on first use`,
    });
    const stored = await admin.get<Host & { hostKeyStatus: string; hostKeyFingerprint: string }>(`/hosts/${created.body.id}`);
    expect(stored.body).toMatchObject({ hostKeyStatus: "trusted", hostKeyFingerprint: sshd.hostKeyFingerprint });
  });

  it("record the host key on first use when tested", async () => {
    const test = await admin.post<{ ok: boolean; checks: { step: string; message: string }[] }>(`/hosts/${hostId}/test`);
    expect(test.body.ok).toBe(true);
    expect(test.body.checks.map((check) => check.step)).toEqual(["network", "handshake", "host-key", "authentication", "forwarding"]);
    expect(test.body.checks[2]?.message).toBe(`recorded ${sshd.hostKeyFingerprint} on first use`);
    const host = await admin.get<Host>(`/hosts/${hostId}`);
    expect(host.body).toMatchObject({ hostKeyStatus: "trusted", hostKeyFingerprint: sshd.hostKeyFingerprint, hostKeyOrigin: "first_use" });
    // The outcome stays on the host, for the hosts page.
    expect(host.body.lastTest).toEqual({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), ok: true, message: "all 5 checks passed" });
  });

  it("say when nothing listens at the address", async () => {
    const port = await freePort();
    const created = await admin.post<Host>("/hosts", { name: "nowhere", address: "127.0.0.1", port, username: "root", privateKey: sshd.privateKey });
    const test = await admin.post<{ ok: boolean; checks: { step: string; message: string }[] }>(`/hosts/${created.body.id}/test`);
    expect(test.body.checks).toEqual([
      { step: "network", ok: false, message: `nowhere (127.0.0.1:${port}) refused the connection: is sshd running on port ${port}?` },
    ]);
    const host = await admin.get<Host>(`/hosts/${created.body.id}`);
    expect(host.body.lastTest).toMatchObject({
      ok: false,
      message: `Network: nowhere (127.0.0.1:${port}) refused the connection: is sshd running on port ${port}?`,
    });
  });

  it("forget the recorded host key when moved to another address or port, say so in the change's audit record, and keep a key given with the move", async () => {
    const created = await admin.post<Host>("/hosts", {
      name: "moving",
      address: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
    });
    const id = created.body.id;
    const read = async () => (await admin.get<Host>(`/hosts/${id}`)).body;
    const lastUpdate = async () => (await admin.get<AuditEvents>(`/audit?hostId=${id}&action=host.updated`)).body.events[0]!;
    expect((await admin.post<HostTest>(`/hosts/${id}/test`)).body.ok).toBe(true);
    expect(await read()).toMatchObject({ hostKeyStatus: "trusted", hostKeyOrigin: "first_use", lastTest: { ok: true } });

    // Another user at the same place: the key stays, the last test (of the old user) goes.
    await admin.patch(`/hosts/${id}`, { username: "nobody" });
    expect(await read()).toMatchObject({ hostKeyFingerprint: sshd.hostKeyFingerprint, hostKeyOrigin: "first_use", lastTest: null });
    expect((await lastUpdate()).details).toEqual({ name: "moving", changed: ["username"], newKey: false });

    // Another port: whatever answers there has its own key, recorded at the next connection.
    const elsewhere = await freePort();
    const moved = await admin.patch<Host>(`/hosts/${id}`, { port: elsewhere, username: sshd.username });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ port: elsewhere, hostKeyStatus: "unverified", hostKeyFingerprint: null, hostKeyOrigin: null, lastTest: null });
    expect((await lastUpdate()).details).toEqual({
      name: "moving",
      changed: ["port", "username"],
      newKey: false,
      from: `${sshd.host}:${sshd.port}`,
      to: `${sshd.host}:${elsewhere}`,
      forgotHostKey: sshd.hostKeyFingerprint,
    });
    const failed = await admin.post<HostTest>(`/hosts/${id}/test`);
    expect(failed.body.checks).toEqual([expect.objectContaining({ step: "network", ok: false })]);
    expect((await read()).lastTest).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Network: moving \(127\.0\.0\.1:\d+\) refused the connection/),
    });

    // Back, with the key given: it is pinned, nothing is forgotten, and the trust is its own record.
    const back = await admin.patch<Host>(`/hosts/${id}`, { port: sshd.port, hostKeyFingerprint: sshd.hostKeyFingerprint });
    expect(back.body).toMatchObject({ hostKeyStatus: "trusted", hostKeyFingerprint: sshd.hostKeyFingerprint, hostKeyOrigin: "pinned", lastTest: null });
    expect((await lastUpdate()).details).not.toHaveProperty("forgotHostKey");
    const trusted = (await admin.get<AuditEvents>(`/audit?hostId=${id}&action=host.key_trusted`)).body.events;
    expect(trusted.map((event) => event.details)).toEqual([
      expect.objectContaining({ fingerprint: sshd.hostKeyFingerprint, previous: null }),
      expect.objectContaining({ fingerprint: sshd.hostKeyFingerprint, firstUse: true }),
    ]);

    // A tunnel through it: counted, and its SSH link is up on this node until the tunnel closes.
    const tunnel = await openTunnel(admin, { hostId: id, kind: "dynamic", listen: { port: await freePortInRange() } });
    expect(tunnel.status).toBe("active");
    expect(await read()).toMatchObject({ openTunnels: 1, link: "up" });
    await admin.delete(`/tunnels/${tunnel.id}`);
    expect(await read()).toMatchObject({ openTunnels: 0, link: null });
    await admin.delete(`/hosts/${id}`);
  });
});

describe("a local tunnel", () => {
  it("carries 1 MiB intact, counts it, and frees its port when closed", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { kind: "local", listen: { address: "127.0.0.1", port }, target: { host: "127.0.0.1", port: origin.port } });
    expect(tunnel.status).toBe("active");
    expect(tunnel.sshCommand).toBe(`ssh -N -L 127.0.0.1:${port}:127.0.0.1:${origin.port} -p ${sshd.port} ${sshd.username}@127.0.0.1`);

    expect(sha256(await fetchAll("127.0.0.1", port))).toBe(origin.sha256);
    const counted = await waitFor(
      () => tunnelState(alice, tunnel.id),
      (t) => t.bytesIn >= origin.payload.length && t.connections === 0,
      5_000,
      "counters",
    );
    expect(counted).toMatchObject({ bytesIn: origin.payload.length, connectionsTotal: 1 });

    // Nobody else sees it.
    expect((await bob.get(`/tunnels/${tunnel.id}`)).status).toBe(404);
    expect((await bob.delete(`/tunnels/${tunnel.id}`)).status).toBe(404);

    const closed = await alice.delete<Tunnel>(`/tunnels/${tunnel.id}`);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe("closed");
    expect(await refusesConnections(port)).toBe(true);
    const history = await alice.get<{ events: { status: string }[]; connections: { bytesIn: number }[] }>(`/tunnels/${tunnel.id}/history`);
    expect(history.body.events.map((event) => event.status)).toEqual(["starting", "active", "closed"]);
    expect(history.body.connections).toEqual([expect.objectContaining({ bytesIn: origin.payload.length })]);
  });

  it("answers a port taken by another program with 409 and leaves nothing behind", async () => {
    const port = await freePortInRange();
    const squatter = net.createServer().listen(port, "127.0.0.1");
    await new Promise((resolve) => squatter.once("listening", resolve));
    try {
      const response = await alice.post<ApiErrorBody>("/tunnels", {
        hostId,
        kind: "local",
        listen: { port },
        target: { host: "127.0.0.1", port: origin.port },
      });
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({ field: "listen.port", message: `port ${port} is already in use on the bastion` });
      const all = await alice.get<{ tunnels: Tunnel[] }>("/tunnels?status=all");
      expect(all.body.tunnels.some((t) => t.listen.port === port)).toBe(false);
    } finally {
      squatter.close();
    }
  });

  it("answers a port held by another tunnel with 409", async () => {
    const port = await freePortInRange();
    const first = await openTunnel(alice, { kind: "dynamic", listen: { port } });
    const second = await bob.post<ApiErrorBody>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: 1 } });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(`port ${port} is already in use on the bastion`);
    await alice.delete(`/tunnels/${first.id}`);
  });

  it.each([
    [{ kind: "local", listen: { port: 80 }, target: { host: "127.0.0.1", port: 1 } }, "listen.port"],
    [{ kind: "local", listen: { address: "0.0.0.0", port: 20001 }, target: { host: "127.0.0.1", port: 1 } }, "listen.address"],
    [{ kind: "local", listen: { port: 20001 } }, "target"],
    [{ kind: "local", listen: { port: 20001 }, target: { host: "169.254.169.254", port: 80 } }, "target.host"],
    [{ kind: "local", listen: { port: "20001" }, target: { host: "127.0.0.1", port: 1 } }, "listen.port"],
    [{ kind: "wormhole", listen: { port: 20001 } }, "kind"],
  ])("refuses %o naming %s", async (body, field) => {
    const response = await alice.post<ApiErrorBody>("/tunnels", { hostId, ...body });
    expect(response.status).toBe(422);
    expect(response.body.error.field).toBe(field);
    expect(response.body.error.message).toMatch(new RegExp(`^${field.replace(".", "\\.")}|.+`));
  });

  it("refuses a body that is not JSON with 400, and an unknown host with 422", async () => {
    const raw = await fetch(`${warren.url}/api/v1/tunnels`, { method: "POST", headers: { authorization: await tokenHeader() }, body: "{nope" });
    expect(raw.status).toBe(400);
    const unknown = await alice.post<ApiErrorBody>("/tunnels", { hostId: "nope", kind: "dynamic", listen: { port: 20001 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.field).toBe("hostId");
  });

  it("tells the owner when the target refuses", async () => {
    const port = await freePortInRange();
    const closedPort = await freePort();
    const tunnel = await openTunnel(alice, { kind: "local", listen: { port }, target: { host: "127.0.0.1", port: closedPort } });
    expect((await fetchAll("127.0.0.1", port)).length).toBe(0);
    const history = await waitFor(
      () => alice.get<{ connections: { error: string | null }[] }>(`/tunnels/${tunnel.id}/history`).then((r) => r.body),
      (h) => h.connections.length > 0,
      10_000,
      "connection record",
    );
    expect(history.connections[0]?.error).toBe(`127.0.0.1:${closedPort} refused the connection (as reached from lab-sshd)`);
    await alice.delete(`/tunnels/${tunnel.id}`);
  });
});

let aliceToken = "";
async function tokenHeader() {
  aliceToken ||= await warren.createToken("alice@example.com");
  return `Bearer ${aliceToken}`;
}

describe("a remote tunnel", () => {
  it("makes the SSH host listen and carries 1 MiB from there to a target the bastion reaches", async () => {
    const port = await freePort();
    const tunnel = await openTunnel(alice, { kind: "remote", listen: { address: "127.0.0.1", port }, target: { host: "127.0.0.1", port: origin.port } });
    expect(tunnel.status).toBe("active");
    expect(tunnel.sshCommand).toContain(`-R 127.0.0.1:${port}:127.0.0.1:${origin.port}`);
    expect(sha256(await fetchAll("127.0.0.1", port))).toBe(origin.sha256);
    await waitFor(
      () => tunnelState(alice, tunnel.id),
      (t) => t.bytesIn === origin.payload.length,
      5_000,
      "remote counters",
    );
    await alice.delete(`/tunnels/${tunnel.id}`);
    await waitFor(() => refusesConnections(port), Boolean, 5_000, "remote listener gone");
  });

  it("answers 409 when the SSH server refuses to listen", async () => {
    const port = await freePort();
    const squatter = net.createServer().listen(port, "127.0.0.1");
    await new Promise((resolve) => squatter.once("listening", resolve));
    try {
      const response = await alice.post<ApiErrorBody>("/tunnels", {
        hostId,
        kind: "remote",
        listen: { address: "127.0.0.1", port },
        target: { host: "127.0.0.1", port: origin.port },
      });
      expect(response.status).toBe(409);
      expect(response.body.error.message).toBe(
        `lab-sshd refused to listen on 127.0.0.1:${port}: the port may be in use there, or its sshd does not allow remote forwarding (AllowTcpForwarding)`,
      );
    } finally {
      squatter.close();
    }
  });
});

describe("a dynamic tunnel", () => {
  it("is a SOCKS5 proxy whose connections go out through the SSH host", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { kind: "dynamic", listen: { port } });
    expect(tunnel.sshCommand).toContain(`-D 127.0.0.1:${port}`);
    for (const host of ["127.0.0.1", "localhost"]) {
      const { reply, body } = await socksFetch(port, host, origin.port);
      expect(reply).toBe(0);
      expect(sha256(body)).toBe(origin.sha256);
    }
    // A destination that refuses gets SOCKS's "connection refused" (5).
    expect((await socksFetch(port, "127.0.0.1", await freePort())).reply).toBe(5);
    const history = await waitFor(
      () => alice.get<{ connections: { destination: string; error: string | null }[] }>(`/tunnels/${tunnel.id}/history`).then((r) => r.body),
      (h) => h.connections.length === 3,
      10_000,
      "SOCKS connection records",
    );
    const destinations = history.connections.filter((c) => !c.error).map((c) => c.destination);
    expect(destinations.sort()).toEqual([`127.0.0.1:${origin.port}`, `localhost:${origin.port}`]);
    expect((await tunnelState(alice, tunnel.id)).bytesIn).toBeGreaterThanOrEqual(2 * origin.payload.length);
    await alice.delete(`/tunnels/${tunnel.id}`);
  });

  it("closes a malformed SOCKS connection and keeps serving others", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { kind: "dynamic", listen: { port } });
    const junk = await fetchAll("127.0.0.1", port, Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    expect(junk.length).toBeLessThan(16);
    expect(sha256((await socksFetch(port, "127.0.0.1", origin.port)).body)).toBe(origin.sha256);
    expect((await tunnelState(alice, tunnel.id)).status).toBe("active");
    await alice.delete(`/tunnels/${tunnel.id}`);
  });
});

describe("host keys", () => {
  it("refuses a changed host key, names both fingerprints, flags the host until an admin re-trusts it", async () => {
    const impostor = await startSshd();
    try {
      const created = await admin.post<Host>("/hosts", {
        name: "pinned",
        address: impostor.host,
        port: impostor.port,
        username: impostor.username,
        privateKey: impostor.privateKey,
        hostKeyFingerprint: sshd.hostKeyFingerprint, // what we expected; the impostor offers another key
      });
      const expected = `host key for pinned changed: refused (expected ${sshd.hostKeyFingerprint}, offered ${impostor.hostKeyFingerprint})`;
      const test = await admin.post<{ ok: boolean; checks: { step: string; ok: boolean; message: string }[] }>(`/hosts/${created.body.id}/test`);
      expect(test.body.checks.at(-1)).toEqual({ step: "host-key", ok: false, message: expected });
      const flagged = await admin.get<Host & { offeredFingerprint: string }>(`/hosts/${created.body.id}`);
      expect(flagged.body).toMatchObject({ hostKeyStatus: "changed", hostKeyOrigin: "pinned", offeredFingerprint: impostor.hostKeyFingerprint });

      const port = await freePortInRange();
      const refused = await openTunnel(alice, { hostId: created.body.id, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: origin.port } });
      expect(refused.status).toBe("failed");
      expect(refused.statusReason).toContain(`host key for pinned changed to ${impostor.hostKeyFingerprint}: refused until an admin trusts it`);
      expect(await refusesConnections(port)).toBe(true);
      // A failed tunnel stays on its owner's list, with its reason, rather than vanishing.
      const listed = (await alice.get<{ tunnels: Tunnel[] }>("/tunnels")).body.tunnels.find((t) => t.id === refused.id);
      expect(listed).toMatchObject({ status: "failed" });

      // Trusting the new key opens it again, with why in its history.
      const trusted = await admin.patch<Host>(`/hosts/${created.body.id}`, { hostKeyFingerprint: impostor.hostKeyFingerprint });
      expect(trusted.body).toMatchObject({ hostKeyStatus: "trusted", hostKeyFingerprint: impostor.hostKeyFingerprint });
      await waitFor(
        () => tunnelState(alice, refused.id),
        (t) => t.status === "active",
        20_000,
        "the failed tunnel open again",
      );
      const history = await alice.get<{ events: { status: string; reason: string | null }[] }>(`/tunnels/${refused.id}/history`);
      expect(history.body.events).toContainEqual(
        expect.objectContaining({ status: "starting", reason: "pinned's new host key was trusted by admin@example.com: opening again" }),
      );
      expect(sha256(await fetchAll("127.0.0.1", port))).toBe(origin.sha256);
      await alice.delete(`/tunnels/${refused.id}`);
    } finally {
      await impostor.dispose();
    }
  });
});

describe("an sshd that forbids forwarding", () => {
  it("is named by the host test, and each refused connection says so", async () => {
    const strict = await startSshd({ allowTcpForwarding: "no" });
    try {
      const created = await admin.post<Host>("/hosts", {
        name: "strict",
        address: strict.host,
        port: strict.port,
        username: strict.username,
        privateKey: strict.privateKey,
      });
      const test = await admin.post<{ ok: boolean; checks: { step: string; ok: boolean; message: string }[] }>(`/hosts/${created.body.id}/test`);
      expect(test.body.ok).toBe(false);
      expect(test.body.checks.at(-1)).toEqual({ step: "forwarding", ok: false, message: "strict's sshd does not allow TCP forwarding (AllowTcpForwarding)" });

      const port = await freePortInRange();
      const tunnel = await openTunnel(alice, { hostId: created.body.id, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: origin.port } });
      expect((await fetchAll("127.0.0.1", port)).length).toBe(0);
      const history = await waitFor(
        () => alice.get<{ connections: { error: string | null }[] }>(`/tunnels/${tunnel.id}/history`).then((r) => r.body),
        (h) => h.connections.length === 1,
        10_000,
        "refused connection record",
      );
      expect(history.connections[0]?.error).toBe(`strict does not allow forwarding to 127.0.0.1:${origin.port} (administratively prohibited)`);

      // A host that still carries an open tunnel cannot be deleted.
      const busy = await admin.delete<ApiErrorBody>(`/hosts/${created.body.id}`);
      expect(busy.status).toBe(409);
      expect(busy.body.error.message).toBe("strict still carries 1 open tunnel: close them first");
      await alice.delete(`/tunnels/${tunnel.id}`);
      expect((await admin.delete(`/hosts/${created.body.id}`)).status).toBe(200);
      expect((await admin.get(`/hosts/${created.body.id}`)).status).toBe(404);
    } finally {
      await strict.dispose();
    }
  });
});

describe("allowed sources", () => {
  it("drop connections from outside the tunnel's CIDRs and record why", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, {
      kind: "local",
      listen: { port },
      target: { host: "127.0.0.1", port: origin.port },
      allowedSources: ["127.0.0.2/32"],
    });
    expect((await fetchAll("127.0.0.1", port)).length).toBe(0);
    const history = await waitFor(
      () => alice.get<{ connections: { source: string; error: string | null; bytesIn: number }[] }>(`/tunnels/${tunnel.id}/history`).then((r) => r.body),
      (h) => h.connections.length === 1,
      10_000,
      "refusal record",
    );
    expect(history.connections[0]).toMatchObject({ error: "refused: source address not allowed", bytesIn: 0 });
    expect(history.connections[0]?.source).toMatch(/^127\.0\.0\.1:\d+$/);
    await alice.delete(`/tunnels/${tunnel.id}`);
  });
});

/** `count` connections from `from` to the listener, `parallel` at a time; each waits until Warren drops it. */
async function flood(port: number, from: string, count: number, parallel = 50) {
  let started = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress: from });
      socket.on("error", () => {});
      socket.once("close", () => resolve());
    });
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (started < count) {
        started += 1;
        await one();
      }
    }),
  );
}

describe("a flood of refused connections", () => {
  type Row = { source: string; error: string | null; bytesIn: number; openedAt: string; closedAt: string };
  /** Rows straight from Warren's database (SQLite or PostgreSQL). */
  const select = async <Row>(sql: string, ...params: unknown[]): Promise<Row[]> => {
    const db = await openRawDatabase(warren);
    try {
      return await db.all<Row>(sql, ...params);
    } finally {
      await db.close();
    }
  };
  const audited = async (tunnelId: string, action: string) =>
    (await select<{ details: string }>(`SELECT details FROM "AuditEvent" WHERE "tunnelId" = ? AND action = ? ORDER BY seq`, tunnelId, action)).map(
      (row) => JSON.parse(row.details) as { source: string; count: number; first: string; last: string; reason: string },
    );
  /** Refusals from `address` the records account for: each one recorded, and each summary's count. */
  const accountedFor = async (tunnelId: string, address: string) =>
    (await audited(tunnelId, "connection.refused")).filter((details) => details.source.startsWith(`${address}:`)).length +
    (await audited(tunnelId, "connection.refused_many")).filter((details) => details.source === address).reduce((sum, details) => sum + details.count, 0);

  it("records the first few from each source, then one summary per source and interval carrying the true count", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, {
      kind: "local",
      listen: { port },
      target: { host: "127.0.0.1", port: origin.port },
      allowedSources: ["127.0.0.3/32"],
    });
    await Promise.all([flood(port, "127.0.0.1", 3_000), flood(port, "127.0.0.2", 500, 10)]);
    await waitFor(
      async () => [await accountedFor(tunnel.id, "127.0.0.1"), await accountedFor(tunnel.id, "127.0.0.2")],
      (counts) => counts[0] === 3_000 && counts[1] === 500,
      30_000,
      "every refusal accounted for",
    );

    const individually = await audited(tunnel.id, "connection.refused");
    expect(individually.filter((details) => details.source.startsWith("127.0.0.1:"))).toHaveLength(5);
    expect(individually.filter((details) => details.source.startsWith("127.0.0.2:"))).toHaveLength(5);
    const summaries = await audited(tunnel.id, "connection.refused_many");
    // At most one summary per source and 2-second interval of the flood (which the summaries' own times bound).
    for (const address of ["127.0.0.1", "127.0.0.2"]) {
      const own = summaries.filter((details) => details.source === address);
      const spanMs = Date.parse(own.at(-1)!.last) - Date.parse(own[0]!.first);
      expect(own.length).toBeLessThanOrEqual(Math.floor(spanMs / 2_000) + 2);
    }
    expect(summaries[0]).toMatchObject({ reason: "source address not allowed", first: expect.any(String), last: expect.any(String) });
    // count(*) is a bigint on PostgreSQL, which pg gives as a string.
    const rows = Number((await select<{ n: number | string }>(`SELECT count(*) AS n FROM "TunnelConnection" WHERE "tunnelId" = ?`, tunnel.id))[0]!.n);
    expect(rows).toBe(10 + summaries.length);

    // The owner's history shows the summaries next to the refusals recorded one by one.
    const history = (await alice.get<{ connections: Row[] }>(`/tunnels/${tunnel.id}/history`)).body.connections;
    const summaryRows = history.filter((row) => row.source === "127.0.0.1");
    expect(summaryRows.length).toBeGreaterThan(0);
    expect(
      summaryRows.every((row) =>
        /^refused [\d,]+ connections from 127\.0\.0\.1 \(counted, not recorded one by one\): source address not allowed$/.test(row.error ?? ""),
      ),
    ).toBe(true);

    // What is counted when the tunnel closes is not lost.
    await flood(port, "127.0.0.1", 300);
    await alice.delete(`/tunnels/${tunnel.id}`);
    await waitFor(
      () => accountedFor(tunnel.id, "127.0.0.1"),
      (count) => count === 3_300,
      10_000,
      "the last refusals accounted for",
    );
  });
});

describe("live events", () => {
  it("reach the tunnel's owner over socket.io, and nobody else", async () => {
    const { io } = await import("socket.io-client");
    const connect = async (email: string) => {
      const socket = io(warren.url, { auth: { token: await warren.createToken(email) }, transports: ["websocket"], reconnection: false });
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      return socket;
    };
    const [aliceSocket, bobSocket] = await Promise.all([connect("alice@example.com"), connect("bob@example.com")]);
    const refused = io(warren.url, { auth: { token: "wrn_forged" }, transports: ["websocket"], reconnection: false });
    await expect(new Promise((_, reject) => refused.once("connect_error", reject))).rejects.toThrow("unauthorized");
    try {
      const aliceEvents: { event: string; tunnelId: string; status?: string; bytesIn?: number }[] = [];
      const bobEvents: string[] = [];
      aliceSocket.onAny((event: string, payload: unknown) =>
        aliceEvents.push(
          ...eachEvent(event, payload).map((one) => ({
            event,
            tunnelId: String(one.tunnelId),
            status: one.status as string | undefined,
            bytesIn: one.bytesIn as number | undefined,
          })),
        ),
      );
      bobSocket.onAny((event: string) => bobEvents.push(event));

      const port = await freePortInRange();
      const tunnel = await openTunnel(alice, { kind: "local", listen: { port }, target: { host: "127.0.0.1", port: origin.port } });
      await fetchAll("127.0.0.1", port);
      await waitFor(
        async () => aliceEvents,
        (events) => events.some((e) => e.event === "tunnel:stats" && e.tunnelId === tunnel.id && e.bytesIn === origin.payload.length),
        10_000,
        "tunnel:stats",
      );
      await alice.delete(`/tunnels/${tunnel.id}`);
      await waitFor(
        async () => aliceEvents,
        (events) => events.some((e) => e.event === "tunnel:status" && e.status === "closed"),
        5_000,
        "closed event",
      );
      expect(aliceEvents.filter((e) => e.event === "tunnel:status").map((e) => e.status)).toEqual(["active", "closed"]);
      expect(bobEvents).toEqual([]);
    } finally {
      aliceSocket.close();
      bobSocket.close();
      refused.close();
    }
  });
});

describe("healing", () => {
  it("goes reconnecting when sshd dies, keeps its port, and is active again when sshd returns", async () => {
    const port = await freePortInRange();
    const tunnel = await openTunnel(alice, { kind: "local", listen: { port }, target: { host: "127.0.0.1", port: origin.port } });
    await sshd.kill();
    const down = await waitFor(
      () => tunnelState(alice, tunnel.id),
      (t) => t.status === "reconnecting",
      30_000,
      "reconnecting",
    );
    expect(down.statusReason).toMatch(/lab-sshd/);
    expect(await refusesConnections(port)).toBe(false); // Warren still holds the port
    await sshd.restart();
    await waitFor(
      () => tunnelState(alice, tunnel.id),
      (t) => t.status === "active",
      60_000,
      "active again",
    );
    expect(sha256(await fetchAll("127.0.0.1", port))).toBe(origin.sha256);
    await alice.delete(`/tunnels/${tunnel.id}`);
  });

  it("reopens its tunnels after Warren restarts", async () => {
    const localPort = await freePortInRange();
    const remotePort = await freePort();
    const local = await openTunnel(alice, { kind: "local", listen: { port: localPort }, target: { host: "127.0.0.1", port: origin.port } });
    const remote = await openTunnel(alice, {
      kind: "remote",
      listen: { address: "127.0.0.1", port: remotePort },
      target: { host: "127.0.0.1", port: origin.port },
    });
    expect(sha256(await fetchAll("127.0.0.1", localPort))).toBe(origin.sha256);

    const { code } = await warren.stop();
    expect(code).toBe(0);
    expect(await refusesConnections(localPort)).toBe(true);
    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port });

    for (const id of [local.id, remote.id]) {
      await waitFor(
        () => tunnelState(alice, id),
        (t) => t.status === "active",
        30_000,
        `tunnel ${id} active after restart`,
      );
    }
    expect(sha256(await fetchAll("127.0.0.1", localPort))).toBe(origin.sha256);
    expect(sha256(await fetchAll("127.0.0.1", remotePort))).toBe(origin.sha256);
    // The counters from before the restart were persisted on SIGTERM.
    expect((await tunnelState(alice, local.id)).bytesIn).toBeGreaterThanOrEqual(2 * origin.payload.length);
    const history = await alice.get<{ events: { status: string; reason: string | null }[] }>(`/tunnels/${local.id}/history`);
    expect(history.body.events.map((event) => event.reason)).toContain("Warren restarted: reopening");
  });
});
