// A tunnel's live connections through a real sshd: listed while open, cut by
// its owner (not by a team member who may only look), the cut reaching the
// client's socket, its record saying who closed it, and the audit trail
// having it; the tunnel carries on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { echoing, startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Connection = {
  id: string;
  source: string;
  destination: string | null;
  bytesIn: number;
  bytesOut: number;
  openedAt: string;
  closedAt: string | null;
  error: string | null;
};
type Connections = { connections: Connection[] };
type Tunnel = { id: string; status: string; listen: { port: number } };
type AuditEvents = { events: { action: string; actorEmail: string; details: Record<string, unknown> }[] };

const password = "correct horse battery";
let sshd: SshdHandle;
let echo: TcpServer;
let warren: WarrenHandle;
let admin: ApiClient;
let owner: ApiClient;
let member: ApiClient;
let outsider: ApiClient;
let tunnel: Tunnel;

beforeAll(async () => {
  [sshd, echo] = await Promise.all([startSshd(), startEchoServer()]);
  warren = await startWarren();
  for (const who of ["admin", "owner", "member", "outsider"]) await warren.createUser({ email: `${who}@example.com`, password, admin: who === "admin" });
  const client = async (who: string) => apiClient(warren.url, await warren.createToken(`${who}@example.com`));
  admin = await client("admin");
  owner = await client("owner");
  member = await client("member");
  outsider = await client("outsider");
  const teamId = (await admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "owner@example.com" })).body.id;
  await admin.post(`/teams/${teamId}/members`, { email: "member@example.com" });
  const hostId = (
    await admin.post<{ id: string }>("/hosts", {
      name: "payments-1",
      address: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      teamIds: [teamId],
    })
  ).body.id;
  const requested = await owner.post<Tunnel>("/tunnels", {
    kind: "local",
    hostId,
    teamId,
    listen: { port: await freePortInRange() },
    target: { host: "127.0.0.1", port: echo.port },
  });
  expect(requested.status, JSON.stringify(requested.body)).toBe(201);
  tunnel = requested.body;
  expect(tunnel.status).toBe("active");
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), echo?.close()]);
});

const openOnes = async (client: ApiClient = owner) => (await client.get<Connections>(`/tunnels/${tunnel.id}/connections?state=open`)).body.connections;

describe("a tunnel's connections", () => {
  it("are listed while open, and one is cut by its owner but not by a team member; the tunnel carries on", async () => {
    const socket = await echoing(tunnel.listen.port);
    expect(socket).not.toBeNull();
    const source = `127.0.0.1:${socket!.localPort}`;
    const [open] = await waitFor(openOnes, (list) => list.some((c) => c.source === source), 10_000, "the connection listed as open");
    expect(open).toEqual({
      id: expect.any(String),
      source,
      destination: null,
      bytesIn: 4,
      bytesOut: 4,
      openedAt: expect.any(String),
      closedAt: null,
      error: null,
    });
    // A team member sees it, but may not cut it; someone who may not see the tunnel does not learn of it.
    expect((await openOnes(member)).map((c) => c.id)).toEqual([open!.id]);
    const refused = await member.delete<ApiErrorBody>(`/tunnels/${tunnel.id}/connections/${open!.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe("only the tunnel's owner or an admin can close its connections");
    expect((await outsider.get(`/tunnels/${tunnel.id}/connections`)).status).toBe(404);
    expect((await outsider.delete(`/tunnels/${tunnel.id}/connections/${open!.id}`)).status).toBe(404);

    const closed = new Promise<void>((resolve) => socket!.once("close", () => resolve()));
    const killed = await owner.delete<{ connection: Connection }>(`/tunnels/${tunnel.id}/connections/${open!.id}`, { reason: "stuck query" });
    expect(killed.status, JSON.stringify(killed.body)).toBe(200);
    expect(killed.body.connection).toMatchObject({ id: open!.id, source, error: "closed by owner@example.com: stuck query" });
    await closed; // the client's socket sees the cut

    expect(await openOnes()).toEqual([]);
    const recent = (await owner.get<Connections>(`/tunnels/${tunnel.id}/connections`)).body.connections;
    expect(recent.find((c) => c.id === open!.id)).toMatchObject({ source, closedAt: expect.any(String), error: "closed by owner@example.com: stuck query" });
    const again = await owner.delete<ApiErrorBody>(`/tunnels/${tunnel.id}/connections/${open!.id}`);
    expect(again.status).toBe(404);
    // The tunnel has no name: its id names it.
    expect(again.body.error.message).toBe(`no open connection with id ${open!.id} on tunnel ${tunnel.id}`);

    const audit = (await admin.get<AuditEvents>(`/audit?tunnelId=${tunnel.id}&action=connection.killed`)).body.events;
    expect(audit).toEqual([
      expect.objectContaining({
        action: "connection.killed",
        actorEmail: "owner@example.com",
        details: expect.objectContaining({ connectionId: open!.id, source, reason: "stuck query" }),
      }),
    ]);

    expect((await owner.get<Tunnel>(`/tunnels/${tunnel.id}`)).body.status).toBe("active");
    const next = await echoing(tunnel.listen.port);
    expect(next).not.toBeNull();
    next!.destroy();
  });

  it("lets an admin cut one, and says which field is wrong in a bad query", async () => {
    const socket = await echoing(tunnel.listen.port);
    const source = `127.0.0.1:${socket!.localPort}`;
    const [open] = await waitFor(openOnes, (list) => list.some((c) => c.source === source), 10_000, "the connection listed as open");
    const closed = new Promise<void>((resolve) => socket!.once("close", () => resolve()));
    const killed = await admin.delete<{ connection: Connection }>(`/tunnels/${tunnel.id}/connections/${open!.id}`);
    expect(killed.status).toBe(200);
    expect(killed.body.connection.error).toBe("closed by admin@example.com");
    await closed;

    const bad = await owner.get<ApiErrorBody>(`/tunnels/${tunnel.id}/connections?state=closed`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("state");
    expect((await owner.delete(`/tunnels/${tunnel.id}/connections/no-such-connection`)).status).toBe(404);
  });
});
