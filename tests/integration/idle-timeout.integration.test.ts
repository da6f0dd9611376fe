// Idle limits through a real sshd: a host's policy closes a tunnel that had
// no connection and moved no bytes for its idle minutes, with a reason its
// owner reads and an audit record, while a tunnel in use stays open.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliceWithHost } from "@/tests/harness/alice-with-host";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; status: string; statusReason: string | null; idleMinutes: number | null; idleClosesAt: string | null; connections: number };

let sshd: SshdHandle;
let echo: TcpServer;
let warren: WarrenHandle;
let admin: ApiClient;
let alice: ApiClient;
let hostId: string;

const tunnel = (id: string) => alice.get<Tunnel>(`/tunnels/${id}`).then((response) => response.body);

async function openLocal(extra: Record<string, unknown> = {}) {
  const port = await freePortInRange();
  const created = await alice.post<Tunnel>("/tunnels", {
    hostId,
    kind: "local",
    listen: { address: "127.0.0.1", port },
    target: { host: "127.0.0.1", port: echo.port },
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await waitFor(
    () => tunnel(created.body.id),
    (t) => t.status === "active",
    30_000,
    "the tunnel to be active",
  );
  return { id: created.body.id, port };
}

beforeAll(async () => {
  [sshd, echo] = await Promise.all([startSshd(), startEchoServer()]);
  warren = await startWarren();
  ({ alice, hostId } = await aliceWithHost(warren, sshd, { name: "idle-host", address: "127.0.0.1" }));
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const policy = await admin.patch(`/hosts/${hostId}`, { policy: { idleMinutes: 1 } });
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), echo?.close()]);
});

describe("an idle limit", () => {
  it("is the host's unless a request asks for less, and never more", async () => {
    const refused = await alice.post<{ error: { field: string; message: string } }>("/tunnels", {
      hostId,
      kind: "local",
      listen: { address: "127.0.0.1", port: await freePortInRange() },
      target: { host: "127.0.0.1", port: echo.port },
      idleMinutes: 5,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ field: "idleMinutes", message: "must be at most 1 minutes on idle-host: it closes idle tunnels then" });
  });

  it("closes a tunnel idle that long, saying so and auditing it, and a connection silent that long, and leaves the rest open", async () => {
    const idle = await openLocal();
    const busy = await openLocal();
    // One connection talks every few seconds; the other is silent, as if its client had left without a word.
    const [talking, silent] = [net.connect({ host: "127.0.0.1", port: busy.port }), net.connect({ host: "127.0.0.1", port: busy.port })];
    await Promise.all([talking, silent].map((socket) => new Promise((resolve) => socket.once("connect", resolve))));
    talking.on("data", () => {});
    const chatter = setInterval(() => talking.write("."), 5_000);
    const silentClosed = new Promise((resolve) => silent.once("close", resolve));
    silent.on("error", () => {});
    await waitFor(
      () => tunnel(busy.id),
      (t) => t.connections === 2,
      20_000,
      "the busy tunnel's connections",
    );

    const waiting = await tunnel(idle.id);
    expect(waiting.idleMinutes).toBe(1);
    expect(Date.parse(waiting.idleClosesAt!)).toBeGreaterThan(Date.now());
    expect((await tunnel(busy.id)).idleClosesAt).toBeNull();

    const closed = await waitFor(
      () => tunnel(idle.id),
      (t) => t.status === "closed",
      120_000,
      "the idle tunnel to close",
    );
    expect(closed.statusReason).toBe("idle for 1 minute");
    await silentClosed;
    expect(talking.destroyed).toBe(false);
    expect((await tunnel(busy.id)).status).toBe("active");
    const recorded = (connections: { error: string | null }[]) => connections.map((connection) => connection.error);
    await waitFor(
      () => alice.get<{ connections: { error: string | null }[] }>(`/tunnels/${busy.id}/history`).then((r) => recorded(r.body.connections)),
      (errors) => errors.includes("idle for 1 minute"),
      20_000,
      "the silent connection's record",
    );
    const audit = await admin.get<{ events: { action: string; details: { reason: string } }[] }>(`/audit?tunnelId=${idle.id}&action=tunnel.closed`);
    expect(audit.body.events.map((event) => event.details.reason)).toEqual(["idle for 1 minute"]);

    clearInterval(chatter);
    talking.destroy();
    await waitFor(
      () => tunnel(busy.id),
      (t) => t.connections === 0 && t.idleClosesAt !== null,
      20_000,
      "the countdown to start once it is idle",
    );
  }, 240_000); // a minute's idle limit, waited for whole
});
