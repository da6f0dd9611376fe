// Reopening an ended tunnel: a real sshd and a real Warren. A reopened tunnel
// is a new request with the old spec, so it meets the host's policy, the
// port and name rules and the audit trail exactly as a new request does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { startOrigin, type Origin } from "@/tests/harness/origin";
import { startSshd, type SshdHandle, hostInput } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = {
  id: string;
  name: string | null;
  kind: string;
  status: string;
  hostId: string;
  listen: { address: string; port: number } | null;
  target: { host: string; port: number } | null;
  allowedSources: string[];
  teamId: string | null;
  ttlMinutes: number;
  idleMinutes: number | null;
};

let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
const as: Record<"admin" | "alice" | "bob" | "carol", ApiClient> = {} as never;
let hostId: string;
let teamId: string;
const password = "correct horse battery";

const tunnel = async (id: string) => (await as.admin.get<Tunnel>(`/tunnels/${id}`)).body;
const active = (id: string) =>
  waitFor(
    () => tunnel(id),
    (t) => t.status === "active",
    30_000,
    `${id} active`,
  );
const spec = ({ name, kind, hostId, listen, target, allowedSources, teamId, ttlMinutes, idleMinutes }: Tunnel) => ({
  name,
  kind,
  hostId,
  listen,
  target,
  allowedSources,
  teamId,
  ttlMinutes,
  idleMinutes,
});

/** Alice's local tunnel to the origin, opened and then closed. */
async function closedTunnel(extra: Record<string, unknown> = {}): Promise<Tunnel> {
  const body = { kind: "local", hostId, listen: { port: await freePortInRange() }, target: { host: "127.0.0.1", port: origin.port }, ...extra };
  const created = await as.alice.post<Tunnel>("/tunnels", body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await active(created.body.id);
  expect((await as.alice.delete(`/tunnels/${created.body.id}`)).status).toBe(200);
  return tunnel(created.body.id);
}

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin({ size: 1024 })]);
  warren = await startWarren({ env: { NODE_ENV: "production" } });
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  for (const user of ["alice", "bob", "carol"] as const) await warren.createUser({ email: `${user}@example.com`, password });
  for (const who of ["admin", "alice", "bob", "carol"] as const) as[who] = apiClient(warren.url, await warren.createToken(`${who}@example.com`));
  teamId = (await as.admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "alice@example.com" })).body.id;
  await as.admin.post(`/teams/${teamId}/members`, { email: "bob@example.com" });
  hostId = (await as.admin.post<{ id: string }>("/hosts", { name: "db-gw", ...hostInput(sshd), policy: { maxOpenPerUser: 1000, maxTtlMinutes: 600 } })).body.id;
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

describe("POST /tunnels/:id/reopen", () => {
  it("opens a new tunnel with the ended one's spec, answered 201 as the new tunnel and audited as reopened from the old", async () => {
    const old = await closedTunnel({ name: "ledger", teamId, ttlMinutes: 90, idleMinutes: 30 });
    const reopened = await as.alice.post<Tunnel>(`/tunnels/${old.id}/reopen`);
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(201);
    expect(reopened.body.id).not.toBe(old.id);
    expect(spec(reopened.body)).toEqual(spec(old));
    await active(reopened.body.id);
    expect((await tunnel(old.id)).status).toBe("closed");
    const audit = await as.admin.get<{ events: { details: { reopenedFrom?: string } }[] }>(`/audit?action=tunnel.requested&tunnelId=${reopened.body.id}`);
    expect(audit.body.events.map((event) => event.details.reopenedFrom)).toEqual([old.id]);

    // The old one again, while the new one holds its port: the same 409 as a new request on that port.
    const clash = await as.alice.post<ApiErrorBody>(`/tunnels/${old.id}/reopen`);
    expect(clash.status).toBe(409);
    expect(clash.body.error.field).toBe("listen.port");
    // An open tunnel is not reopened.
    const open = await as.alice.post<ApiErrorBody>(`/tunnels/${reopened.body.id}/reopen`);
    expect(open.status).toBe(409);
    expect(open.body.error.message).toBe("the tunnel is active: only ended ones (closed, failed, expired, denied) can be reopened");
    await as.alice.delete(`/tunnels/${reopened.body.id}`);
  });

  it("leaves the name out when another tunnel in play holds it", async () => {
    const old = await closedTunnel({ name: "orders" });
    const holder = await as.alice.post<Tunnel>("/tunnels", { kind: "local", hostId, name: "orders", target: { host: "127.0.0.1", port: origin.port } });
    expect(holder.status).toBe(201);
    const reopened = await as.alice.post<Tunnel>(`/tunnels/${old.id}/reopen`);
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(201);
    expect(reopened.body.name).toBeNull();
    expect(spec(reopened.body)).toEqual({ ...spec(old), name: null });
    await Promise.all([as.alice.delete(`/tunnels/${holder.body.id}`), as.alice.delete(`/tunnels/${reopened.body.id}`)]);
  });

  it("is for the owner alone: a teammate and an admin are refused (403), a stranger does not see it (404)", async () => {
    const old = await closedTunnel({ teamId });
    for (const who of ["bob", "admin"] as const) {
      const refused = await as[who].post<ApiErrorBody>(`/tunnels/${old.id}/reopen`);
      expect(refused.status, who).toBe(403);
      expect(refused.body.error.message).toBe("only the tunnel's owner can reopen it");
    }
    const hidden = await as.carol.post<ApiErrorBody>(`/tunnels/${old.id}/reopen`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(`no tunnel with id ${old.id}`);
  });

  it("answers what a new request with the same spec answers once the host's policy no longer allows it", async () => {
    const old = await closedTunnel({ ttlMinutes: 120 });
    // As the form would send it: no name, and no idle limit (the host has none).
    const request = { ...spec(old), name: undefined, idleMinutes: undefined };
    const cases = [
      { policy: { maxTtlMinutes: 60 }, status: 422, field: "ttlMinutes" },
      { policy: { kinds: ["remote"] }, status: 403, field: "kind" },
    ];
    for (const { policy, status, field } of cases) {
      expect((await as.admin.patch(`/hosts/${hostId}`, { policy })).status).toBe(200);
      const reopened = await as.alice.post<ApiErrorBody>(`/tunnels/${old.id}/reopen`);
      expect(reopened.status, field).toBe(status);
      expect(reopened.body.error.field).toBe(field);
      expect(reopened).toEqual(await as.alice.post<ApiErrorBody>("/tunnels", request));
      expect((await as.admin.patch(`/hosts/${hostId}`, { policy: { maxTtlMinutes: 600, kinds: ["local", "remote", "dynamic"] } })).status).toBe(200);
    }
  });
});
