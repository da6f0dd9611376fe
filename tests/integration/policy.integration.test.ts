// A host's policy through the API and a real sshd: refused kinds, targets,
// ports, public binds and wide sources at request time; SOCKS destinations
// checked per connection; every refusal visible and audited.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { freePort, freePortInRange, waitFor } from "@/tests/harness/free-port";
import { startOrigin, type Origin } from "@/tests/harness/origin";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { socksFetch } from "@/tests/harness/socks-fetch";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Host = { id: string; policy: Record<string, unknown> };

let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
let admin: ApiClient;
let alice: ApiClient;
let host: Host;
const password = "correct horse battery";

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin({ size: 4096 })]);
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  host = (
    await admin.post<Host>("/hosts", {
      name: "db-1",
      address: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      policy: { kinds: ["local", "dynamic"], targets: ["127.0.0.1/32"], ports: [String(origin.port)], maxTtlMinutes: 120 },
    })
  ).body;
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

describe("a host's policy", () => {
  it("is stored and answered as one object, and only admins change it", async () => {
    expect(host.policy).toEqual({
      kinds: ["local", "dynamic"],
      targets: ["127.0.0.1/32"],
      ports: [String(origin.port)],
      publicBinds: false,
      anySource: false,
      approval: false,
      defaultTtlMinutes: 60,
      maxTtlMinutes: 120,
      idleMinutes: null,
      maxOpenPerUser: 10,
      maxPendingPerUser: 5,
    });
    expect((await alice.patch(`/hosts/${host.id}`, { policy: { kinds: ["remote"] } })).status).toBe(403);
    const bad = await admin.patch<ApiErrorBody>(`/hosts/${host.id}`, { policy: { ports: ["70000"] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("policy.ports.0");
  });

  it.each([
    [{ kind: "remote", listen: { port: 20001 }, target: { host: "127.0.0.1", port: 1 } }, "kind", "db-1 does not allow remote tunnels"],
    [{ kind: "local", listen: { port: 20001 }, target: { host: "10.1.1.1", port: 1 } }, "target.host", "db-1 allows tunnels only to 127.0.0.1/32"],
    [{ kind: "local", listen: { port: 20001 }, target: { host: "127.0.0.1", port: 22 } }, "target.port", "db-1 allows tunnels only to ports"],
  ])("refuses %o with 403 on %s", async (body, field, message) => {
    const response = await alice.post<ApiErrorBody>("/tunnels", { hostId: host.id, ...body });
    expect(response.status).toBe(403);
    expect(response.body.error.field).toBe(field);
    expect(response.body.error.message).toContain(message);
  });

  it("gives a request that names no TTL the host's default, never beyond its maximum", async () => {
    const port = await freePortInRange();
    await admin.patch(`/hosts/${host.id}`, { policy: { defaultTtlMinutes: 15 } });
    const short = (await alice.post<{ id: string; expiresAt: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port } })).body;
    expect(Math.round((Date.parse(short.expiresAt) - Date.now()) / 60_000)).toBe(15);
    await alice.delete(`/tunnels/${short.id}`);
    await admin.patch(`/hosts/${host.id}`, { policy: { defaultTtlMinutes: 600 } }); // above the maximum of 120
    const capped = (await alice.post<{ id: string; expiresAt: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port } })).body;
    expect(Math.round((Date.parse(capped.expiresAt) - Date.now()) / 60_000)).toBe(120);
    await alice.delete(`/tunnels/${capped.id}`);
    await admin.patch(`/hosts/${host.id}`, { policy: { defaultTtlMinutes: 60 } });
  });

  it("caps the TTL at the host's maximum", async () => {
    const response = await alice.post<ApiErrorBody>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: 20001 }, ttlMinutes: 121 });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ field: "ttlMinutes", message: "must be at most 120 minutes on db-1" });
  });

  it("checks every SOCKS destination, refusing and recording the ones outside it", async () => {
    const port = await freePortInRange();
    const tunnel = (await alice.post<{ id: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port } })).body;
    const allowed = await socksFetch(port, "127.0.0.1", origin.port);
    expect(allowed.reply).toBe(0);
    expect(allowed.body.equals(origin.payload)).toBe(true);
    const wrongPort = await socksFetch(port, "127.0.0.1", await freePort());
    expect(wrongPort.reply).toBe(2); // SOCKS5 "connection not allowed by ruleset"
    const wrongHost = await socksFetch(port, "localhost", origin.port);
    expect(wrongHost.reply).toBe(2);

    const history = await waitFor(
      () => alice.get<{ connections: { destination: string | null; error: string | null }[] }>(`/tunnels/${tunnel.id}/history`).then((r) => r.body),
      (h) => h.connections.length === 3,
      10_000,
      "three connection records",
    );
    const refused = history.connections.filter((c) => c.error?.startsWith("refused: destination not allowed"));
    expect(refused.map((c) => c.destination).sort()).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/), `localhost:${origin.port}`].sort());
    const audit = await admin.get<{ events: { details: { reason: string } }[] }>(`/audit?tunnelId=${tunnel.id}&action=connection.refused`);
    expect(audit.body.events).toHaveLength(2);
    expect(audit.body.events[0]!.details.reason).toContain("db-1 allows tunnels only to");
    await alice.delete(`/tunnels/${tunnel.id}`);
  });

  it("keeps non-loopback listeners to the requester's own address unless the policy widens it", async () => {
    await admin.patch(`/hosts/${host.id}`, { policy: { kinds: ["local", "remote", "dynamic"], publicBinds: true } });
    const remotePort = await freePort();
    const remote = { hostId: host.id, kind: "remote", listen: { address: "0.0.0.0", port: remotePort }, target: { host: "127.0.0.1", port: origin.port } };
    const wide = await alice.post<ApiErrorBody>("/tunnels", { ...remote, allowedSources: ["0.0.0.0/0"] });
    expect(wide.status).toBe(403);
    expect(wide.body.error.field).toBe("allowedSources");
    const own = await alice.post<{ id: string; allowedSources: string[] }>("/tunnels", remote);
    expect(own.status).toBe(201);
    expect(own.body.allowedSources).toEqual(["127.0.0.1"]); // Alice's own address as Warren sees it
    await alice.delete(`/tunnels/${own.body.id}`);

    await admin.patch(`/hosts/${host.id}`, { policy: { anySource: true } });
    const widened = await alice.post<{ id: string; allowedSources: string[] }>("/tunnels", { ...remote, allowedSources: ["0.0.0.0/0"] });
    expect(widened.status).toBe(201);
    await alice.delete(`/tunnels/${widened.body.id}`);
  });

  it("lets the owner extend a tunnel within the host's maximum, and an admin close it with a reason the owner sees", async () => {
    const port = await freePortInRange();
    const tunnel = (await alice.post<{ id: string; expiresAt: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port }, ttlMinutes: 5 }))
      .body;
    const tooLong = await alice.post<ApiErrorBody>(`/tunnels/${tunnel.id}/extend`, { ttlMinutes: 121 });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error).toMatchObject({ field: "ttlMinutes", message: "must be at most 120 minutes on db-1" });
    const extended = await alice.post<{ expiresAt: string }>(`/tunnels/${tunnel.id}/extend`, { ttlMinutes: 90 });
    expect(Date.parse(extended.body.expiresAt) - Date.parse(tunnel.expiresAt)).toBe(90 * 60_000);
    // A shorter extension still adds its time: extending never shortens a tunnel.
    const again = await alice.post<{ expiresAt: string }>(`/tunnels/${tunnel.id}/extend`, { ttlMinutes: 10 });
    expect(Date.parse(again.body.expiresAt) - Date.parse(extended.body.expiresAt)).toBe(10 * 60_000);
    // Beyond the host's maximum from now, it is capped there; at the cap, it is refused with why.
    const capped = await alice.post<{ expiresAt: string }>(`/tunnels/${tunnel.id}/extend`, { ttlMinutes: 60 });
    expect(Date.parse(capped.body.expiresAt) - Date.now()).toBeLessThanOrEqual(120 * 60_000);
    expect(Date.parse(capped.body.expiresAt)).toBeGreaterThan(Date.parse(again.body.expiresAt));
    const atCap = await alice.post<ApiErrorBody>(`/tunnels/${tunnel.id}/extend`, { ttlMinutes: 1 });
    expect([atCap.status, atCap.body.error.field]).toEqual([409, "ttlMinutes"]);
    expect(atCap.body.error.message).toBe("it already runs as long as db-1 allows (120 minutes from now at most)");
    const history = await alice.get<{ events: { reason: string | null }[] }>(`/tunnels/${tunnel.id}/history`);
    expect(history.body.events.map((event) => event.reason)).toEqual(
      expect.arrayContaining(["extended by alice@example.com: 90 more minutes", "extended by alice@example.com: 10 more minutes"]),
    );

    const closed = await admin.delete<{ status: string; statusReason: string }>(`/tunnels/${tunnel.id}`, { reason: "maintenance on db-1" });
    expect(closed.body).toMatchObject({ status: "closed", statusReason: "closed by admin@example.com: maintenance on db-1" });
    expect((await alice.get<{ statusReason: string }>(`/tunnels/${tunnel.id}`)).body.statusReason).toBe("closed by admin@example.com: maintenance on db-1");
    const gone = await alice.post<ApiErrorBody>(`/tunnels/${tunnel.id}/extend`, { ttlMinutes: 10 });
    expect(gone.status).toBe(409);
    const audit = await admin.get<{ events: { action: string }[] }>(`/audit?tunnelId=${tunnel.id}`);
    expect(audit.body.events.map((event) => event.action)).toEqual(expect.arrayContaining(["tunnel.extended", "tunnel.closed"]));
  });
});

describe("a changed policy reaches the tunnels already open", () => {
  type Tunnel = { id: string; status: string; statusReason: string | null; expiresAt: string };
  type Events = { events: { action: string; actorEmail: string | null; details: { reason?: string } }[] };

  it("refuses a now forbidden SOCKS destination at once, closes a tunnel of a kind no longer allowed, brings expiries in, and refuses extending", async () => {
    // A target that keeps its connections open until the other side closes them.
    const holder = net.createServer({ allowHalfOpen: true }, () => {});
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const holderPort = (holder.address() as net.AddressInfo).port;
    await admin.patch(`/hosts/${host.id}`, {
      policy: {
        kinds: ["local", "dynamic"],
        targets: ["127.0.0.1/32"],
        ports: [String(origin.port), String(holderPort)],
        publicBinds: false,
        anySource: false,
        maxTtlMinutes: 120,
      },
    });
    const socksPort = await freePortInRange(20000, 24999);
    const localPort = await freePortInRange(25000, 29999);
    const socks = (await alice.post<Tunnel>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: socksPort }, ttlMinutes: 120 })).body;
    const local = (
      await alice.post<Tunnel>("/tunnels", {
        hostId: host.id,
        kind: "local",
        listen: { port: localPort },
        target: { host: "127.0.0.1", port: origin.port },
        ttlMinutes: 120,
      })
    ).body;
    expect([socks.status, local.status]).toEqual(["active", "active"]);
    expect((await socksFetch(socksPort, "127.0.0.1", origin.port)).reply).toBe(0);
    const held = socksFetch(socksPort, "127.0.0.1", holderPort); // settles when the connection closes
    await waitFor(
      () => alice.get<{ connections: number }>(`/tunnels/${socks.id}`).then((r) => r.body.connections),
      (open) => open === 1,
      10_000,
      "the held connection",
    );

    const changed = await admin.patch(`/hosts/${host.id}`, { policy: { kinds: ["dynamic"], targets: ["10.0.0.0/8"], maxTtlMinutes: 30 } });
    expect(changed.status).toBe(200);

    // The open SOCKS tunnel cuts its connection to a destination no longer allowed, and refuses the next.
    expect((await held).reply).toBe(0);
    holder.close();
    expect((await socksFetch(socksPort, "127.0.0.1", origin.port)).reply).toBe(2);
    const refusals = await waitFor(
      () => admin.get<Events>(`/audit?tunnelId=${socks.id}&action=connection.refused`).then((r) => r.body.events),
      (events) => events.length === 1,
      10_000,
      "the refusal's audit record",
    );
    expect(refusals[0]!.details.reason).toContain("db-1 allows tunnels only to 10.0.0.0/8");
    // It is still allowed as a kind; its expiry is brought within the new maximum.
    const stillOpen = (await alice.get<Tunnel>(`/tunnels/${socks.id}`)).body;
    expect(stillOpen.status).toBe("active");
    expect(Date.parse(stillOpen.expiresAt) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    const shortened = await admin.get<Events>(`/audit?tunnelId=${socks.id}&action=tunnel.expiry_shortened`);
    expect(shortened.body.events.map((event) => event.actorEmail)).toEqual(["admin@example.com"]);

    // The local tunnel is a kind the host no longer allows: closed, with the reason its owner sees, audited as the admin's doing.
    const closed = (await alice.get<Tunnel>(`/tunnels/${local.id}`)).body;
    expect(closed.status).toBe("closed");
    expect(closed.statusReason).toBe("closed: db-1's policy no longer allows it: db-1 does not allow local tunnels");
    const closing = await admin.get<Events>(`/audit?tunnelId=${local.id}&action=tunnel.closed`);
    expect(closing.body.events.map((event) => [event.actorEmail, event.details.reason])).toEqual([["admin@example.com", closed.statusReason]]);
    await expect(socksFetch(localPort, "127.0.0.1", origin.port)).rejects.toThrow(/ECONNREFUSED/);
    const extendClosed = await alice.post<ApiErrorBody>(`/tunnels/${local.id}/extend`, { ttlMinutes: 10 });
    expect(extendClosed.status).toBe(409);
    await alice.delete(`/tunnels/${socks.id}`);
  });

  it("re-checks everything a request is checked against when a tunnel is extended, even after a change made outside the API", async () => {
    await admin.patch(`/hosts/${host.id}`, {
      policy: { kinds: ["local", "dynamic"], targets: ["127.0.0.1/32"], ports: [String(origin.port)], maxTtlMinutes: 120 },
    });
    const port = await freePortInRange();
    const local = (
      await alice.post<Tunnel>("/tunnels", {
        hostId: host.id,
        kind: "local",
        listen: { port },
        target: { host: "127.0.0.1", port: origin.port },
        ttlMinutes: 30,
      })
    ).body;
    expect(local.status).toBe("active");
    // Another process (a restore, a script) narrows the policy in the database: no reapplication reaches the open tunnel.
    const raw = await openRawDatabase(warren);
    await raw.run(`UPDATE "Host" SET "policyKinds" = ? WHERE id = ?`, JSON.stringify(["dynamic"]), host.id);
    await raw.close();
    const extend = await alice.post<ApiErrorBody>(`/tunnels/${local.id}/extend`, { ttlMinutes: 60 });
    expect(extend.status).toBe(403);
    expect(extend.body.error).toEqual({
      code: "forbidden",
      field: "kind",
      message: "db-1's policy no longer allows this tunnel: db-1 does not allow local tunnels",
    });
    await alice.delete(`/tunnels/${local.id}`);
  });
});
