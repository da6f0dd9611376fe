// Teams at work through a real sshd: joining a shared tunnel lets exactly the
// joiner's address in, removing them cuts their live connection; requests on
// a host that needs approval wait, expire unanswered, and extensions go
// through approval too; leaving a team takes away what it gave.
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { echoing, startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = {
  id: string;
  status: string;
  statusReason: string | null;
  requestReason?: string | null;
  teamId: string | null;
  allowedSources: string[];
  expiresAt: string;
  extensionRequest: { minutes: number; until: string } | null;
  participants: { email: string; source: string; granted: boolean }[];
  listen: { port: number };
  sshCommand: string;
};
type AuditEvents = { events: { action: string; details: Record<string, unknown> }[] };

const password = "correct horse battery";
let sshd: SshdHandle;
let echo: TcpServer;
let warren: WarrenHandle;
let admin: ApiClient;
let owner: ApiClient;
let member: ApiClient;
let teamId: string;
let teamHost: string;
let approvalHost: string;
let openHost: string;
let host: (name: string, extra: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  [sshd, echo] = await Promise.all([startSshd(), startEchoServer()]);
  warren = await startWarren();
  for (const email of ["admin", "owner", "member"]) await warren.createUser({ email: `${email}@example.com`, password, admin: email === "admin" });
  const client = async (who: string) => apiClient(warren.url, await warren.createToken(`${who}@example.com`));
  admin = await client("admin");
  owner = await client("owner");
  member = await client("member");
  teamId = (await admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "owner@example.com" })).body.id;
  await admin.post(`/teams/${teamId}/members`, { email: "member@example.com" });
  host = async (name: string, extra: Record<string, unknown>) =>
    (await admin.post<{ id: string }>("/hosts", { name, address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, ...extra }))
      .body.id;
  teamHost = await host("payments-1", { teamIds: [teamId] });
  approvalHost = await host("payments-db", { teamIds: [teamId], policy: { approval: true } });
  openHost = await host("shared-1", {});
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), echo?.close()]);
});

async function request(client: ApiClient, hostId: string, extra: Record<string, unknown> = {}) {
  const response = await client.post<Tunnel>("/tunnels", {
    kind: "local",
    reason: "on call",
    hostId,
    listen: { port: await freePortInRange() },
    target: { host: "127.0.0.1", port: echo.port },
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const read = async (id: string) => (await admin.get<Tunnel>(`/tunnels/${id}`)).body;
const audit = async (id: string) => (await admin.get<AuditEvents>(`/audit?tunnelId=${id}`)).body.events.map((e) => e.action);

async function userIds(): Promise<Record<string, string>> {
  const users = (await admin.get<{ users: { id: string; email: string }[] }>("/users")).body.users;
  return Object.fromEntries(users.map((u) => [u.email, u.id]));
}

/** Whether an open connection still carries bytes both ways. */
function echoes(socket: net.Socket): Promise<boolean> {
  return new Promise((resolve) => {
    socket.once("data", () => resolve(true));
    socket.once("close", () => resolve(false));
    socket.write("again");
  });
}

describe("teams from the CLI", () => {
  it("are created with an owner and gain members, audited as the CLI", async () => {
    expect((await warren.cli(["team", "create", "--name", "ops", "--owner", "owner@example.com"])).stdout).toMatch(
      /^created team ops \(\w+\) owned by owner@example.com/,
    );
    expect((await warren.cli(["team", "add", "--team", "ops", "--email", "member@example.com"])).stdout).toBe("added member@example.com to ops as member\n");
    const missing = await warren.cli(["team", "add", "--team", "nope", "--email", "member@example.com"]);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: "warren: no team named nope\n" });
    const teams = (await member.get<{ teams: { name: string; members: { email: string; role: string }[] }[] }>("/teams")).body.teams;
    expect(teams.find((t) => t.name === "ops")?.members).toEqual([
      expect.objectContaining({ email: "owner@example.com", role: "owner" }),
      expect.objectContaining({ email: "member@example.com", role: "member" }),
    ]);
    const audit = (await admin.get<AuditEvents>("/audit?action=team.*")).body.events.filter((e) => e.details.by === "cli").map((e) => e.action);
    expect(audit.sort()).toEqual(["team.created", "team.member_added"]);
  });
});

describe("a shared tunnel", () => {
  it("lets a joining team member's address in, and cuts it again when the owner removes them", async () => {
    // Listening on loopback for the test; the allowed sources decide all the same.
    const tunnel = await request(member, teamHost, { teamId, allowedSources: ["127.0.0.2/32"] });
    expect(await echoing(tunnel.listen.port)).toBeNull(); // 127.0.0.1 is not allowed yet

    const joined = await owner.post<Tunnel>(`/tunnels/${tunnel.id}/join`);
    expect(joined.status).toBe(200);
    expect(joined.body.allowedSources).toEqual(["127.0.0.2/32", "127.0.0.1/32"]);
    expect(joined.body.participants).toEqual([expect.objectContaining({ email: "owner@example.com", source: "127.0.0.1/32", granted: true })]);
    const live = await echoing(tunnel.listen.port);
    expect(live).not.toBeNull();

    const cut = new Promise<void>((resolve) => live!.once("close", () => resolve()));
    const users = (await admin.get<{ users: { id: string; email: string }[] }>("/users")).body.users;
    const ownerId = users.find((u) => u.email === "owner@example.com")!.id;
    expect((await member.delete(`/tunnels/${tunnel.id}/participants/${ownerId}`)).status).toBe(200);
    await cut; // the removed address's open connection goes at once
    expect(await echoing(tunnel.listen.port)).toBeNull();
    expect((await read(tunnel.id)).allowedSources).toEqual(["127.0.0.2/32"]);

    const actions = await waitFor(
      () => audit(tunnel.id),
      (a) => a.filter((x) => x === "connection.refused").length === 2,
      10_000,
      "two refusals audited",
    );
    expect(actions).toEqual(expect.arrayContaining(["tunnel.joined", "tunnel.participant_removed", "connection.accepted", "connection.closed"]));
  });

  it("takes the joiner's address from the connection, never from a header the client sends", async () => {
    const tunnel = await request(member, teamHost, { teamId, allowedSources: ["127.0.0.2/32"] });
    const forged = await fetch(`${warren.url}/api/v1/tunnels/${tunnel.id}/join`, {
      method: "POST",
      headers: { authorization: `Bearer ${await warren.createToken("owner@example.com")}`, "x-warren-client-ip": "10.9.9.9", "x-forwarded-for": "10.9.9.9" },
    });
    expect(forged.status).toBe(200);
    expect(((await forged.json()) as Tunnel).allowedSources).toEqual(["127.0.0.2/32", "127.0.0.1/32"]);
    await member.delete(`/tunnels/${tunnel.id}`);
  });

  it("keeps letting a participant in when another who joined from the same address leaves; the last one out takes it out", async () => {
    await warren.createUser({ email: "second@example.com", password });
    await admin.post(`/teams/${teamId}/members`, { email: "second@example.com" });
    const second = apiClient(warren.url, await warren.createToken("second@example.com"));
    const tunnel = await request(member, teamHost, { teamId, allowedSources: ["127.0.0.2/32"] });
    expect((await owner.post(`/tunnels/${tunnel.id}/join`)).status).toBe(200);
    expect((await second.post(`/tunnels/${tunnel.id}/join`)).status).toBe(200);
    const held = await echoing(tunnel.listen.port);
    expect(held).not.toBeNull();

    const ids = await userIds();
    expect((await owner.delete(`/tunnels/${tunnel.id}/participants/${ids["owner@example.com"]}`)).status).toBe(200);
    const after = await read(tunnel.id);
    expect(after.allowedSources).toEqual(["127.0.0.2/32", "127.0.0.1/32"]);
    expect(after.participants).toEqual([expect.objectContaining({ email: "second@example.com", source: "127.0.0.1/32", granted: true })]);
    expect(await echoes(held!)).toBe(true); // the connection from the shared address stays up
    const again = await echoing(tunnel.listen.port);
    expect(again).not.toBeNull();
    again!.destroy();

    const cut = new Promise<void>((resolve) => held!.once("close", () => resolve()));
    expect((await second.delete(`/tunnels/${tunnel.id}/participants/${ids["second@example.com"]}`)).status).toBe(200);
    await cut;
    expect((await read(tunnel.id)).allowedSources).toEqual(["127.0.0.2/32"]);
    expect(await echoing(tunnel.listen.port)).toBeNull();
    await member.delete(`/tunnels/${tunnel.id}`);
  });

  it("shows a team member who may not use its host that host's name only, never its address or user", async () => {
    const secret = (await admin.post<{ id: string }>("/teams", { name: "secret", ownerEmail: "member@example.com" })).body.id;
    const hidden = await host("secret-1", { teamIds: [secret] });
    const tunnel = await request(member, hidden, { teamId });
    const spec = `-L 127.0.0.1:${tunnel.listen.port}:127.0.0.1:${echo.port}`;
    expect(tunnel.sshCommand).toBe(`ssh -N ${spec} -p ${sshd.port} ${sshd.username}@${sshd.host}`);
    expect((await owner.get(`/hosts/${hidden}`)).status).toBe(404);
    expect((await owner.get<Tunnel>(`/tunnels/${tunnel.id}`)).body.sshCommand).toBe(`ssh -N ${spec} secret-1`);
    const listed = (await owner.get<{ tunnels: Tunnel[] }>("/tunnels")).body.tunnels.find((t) => t.id === tunnel.id);
    expect(listed?.sshCommand).toBe(`ssh -N ${spec} secret-1`);
    await member.delete(`/tunnels/${tunnel.id}`);
  });

  it("answers a port conflict naming the tunnel in the way only to those who may see it", async () => {
    const theirs = await request(member, teamHost);
    const again = (client: ApiClient) =>
      client.post<{ error: { code: string; field: string; message: string } }>("/tunnels", {
        kind: "local",
        hostId: teamHost,
        listen: { port: theirs.listen.port },
        target: { host: "127.0.0.1", port: echo.port },
      });
    const foreign = await again(owner);
    expect(foreign.status).toBe(409);
    expect(foreign.body.error).toEqual({ code: "conflict", field: "listen.port", message: `port ${theirs.listen.port} is already in use on the bastion` });
    expect((await again(member)).body.error.message).toBe(`port ${theirs.listen.port} is already in use on the bastion (tunnel ${theirs.id})`);
    await member.delete(`/tunnels/${theirs.id}`);
  });

  it("stops being shared, and its owner's tunnels through team hosts close, when the owner leaves the team", async () => {
    const shared = await request(member, openHost, { teamId });
    const onTeamHost = await request(member, teamHost);
    const users = (await admin.get<{ users: { id: string; email: string }[] }>("/users")).body.users;
    const memberId = users.find((u) => u.email === "member@example.com")!.id;
    expect((await owner.delete(`/teams/${teamId}/members/${memberId}`)).status).toBe(200);

    const closed = await waitFor(
      () => read(onTeamHost.id),
      (t) => t.status === "closed",
      10_000,
      "closed",
    );
    expect(closed.statusReason).toBe("member@example.com left payments: member@example.com may no longer use payments-1");
    expect(await read(shared.id)).toMatchObject({ status: "active", teamId: null });
    expect((await owner.get(`/tunnels/${shared.id}`)).status).toBe(404);
    await admin.post(`/teams/${teamId}/members`, { email: "member@example.com" });
    await member.delete(`/tunnels/${shared.id}`);
  });
});

describe("a host that needs approval", () => {
  it("holds a request until a team owner approves it; its time starts then", async () => {
    const unexplained = await member.post<{ error: { field: string; message: string } }>("/tunnels", {
      kind: "local",
      hostId: approvalHost,
      listen: { port: await freePortInRange() },
      target: { host: "127.0.0.1", port: echo.port },
    });
    expect(unexplained.status).toBe(422);
    expect(unexplained.body.error).toMatchObject({ field: "reason", message: "is required: payments-db needs approval, and approvers read why you need it" });

    const pending = await request(member, approvalHost, { ttlMinutes: 30, reason: "incident 42: the replica lags" });
    expect(pending).toMatchObject({
      status: "pending_approval",
      statusReason: "payments-db needs approval: waiting for a team owner or an admin",
      requestReason: "incident 42: the replica lags",
    });
    const waiting = (await owner.get<{ requests: Tunnel[] }>("/approvals")).body.requests.find((r) => r.id === pending.id);
    expect(waiting?.requestReason).toBe("incident 42: the replica lags");
    expect(await echoing(pending.listen.port)).toBeNull(); // nothing listens yet

    const approved = await owner.post<Tunnel>(`/tunnels/${pending.id}/approve`, { reason: "incident 42" });
    expect(approved.status).toBe(200);
    const active = await waitFor(
      () => read(pending.id),
      (t) => t.status === "active",
      15_000,
      "active",
    );
    expect(Date.parse(active.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    const socket = await echoing(pending.listen.port);
    expect(socket).not.toBeNull();
    socket!.destroy();
    const history = (await member.get<{ events: { status: string; reason: string | null }[] }>(`/tunnels/${pending.id}/history`)).body.events;
    expect(history.map((e) => e.status)).toEqual(["pending_approval", "starting", "active"]);
    expect(history[1]!.reason).toBe("approved by owner@example.com: incident 42");

    // Extending goes through approval as well.
    const asked = await member.post<Tunnel>(`/tunnels/${pending.id}/extend`, { ttlMinutes: 120 });
    expect(asked.body.extensionRequest?.minutes).toBe(120);
    expect(asked.body.expiresAt).toBe(active.expiresAt);
    expect((await member.post(`/tunnels/${pending.id}/approve`)).status).toBe(403);
    const extended = await owner.post<Tunnel>(`/tunnels/${pending.id}/approve`);
    expect(extended.body.extensionRequest).toBeNull();
    expect(Date.parse(extended.body.expiresAt) - Date.now()).toBeGreaterThan(119 * 60_000);

    await member.post(`/tunnels/${pending.id}/extend`, { ttlMinutes: 600 });
    const denied = await owner.post<Tunnel>(`/tunnels/${pending.id}/deny`, { reason: "too long" });
    expect(denied.body.extensionRequest).toBeNull();
    expect(denied.body.expiresAt).toBe(extended.body.expiresAt);
    expect(await audit(pending.id)).toEqual(
      expect.arrayContaining([
        "tunnel.requested",
        "tunnel.approved",
        "tunnel.opened",
        "tunnel.extension_requested",
        "tunnel.extended",
        "tunnel.extension_denied",
      ]),
    );
    await member.delete(`/tunnels/${pending.id}`);
  });

  it("refuses a denial without a reason, naming the field", async () => {
    const pending = await request(member, approvalHost);
    const response = await owner.post<{ error: { field: string; message: string } }>(`/tunnels/${pending.id}/deny`, {});
    expect(response.status).toBe(422);
    expect(response.body.error.field).toBe("reason");
    expect((await read(pending.id)).status).toBe("pending_approval");
    await member.delete(`/tunnels/${pending.id}`);
    expect(await read(pending.id)).toMatchObject({ status: "closed", statusReason: "request withdrawn by member@example.com" });
  });

  it("applies a narrowed policy to requests still waiting: a TTL comes within the maximum, what is no longer allowed is denied", async () => {
    const pending = await request(member, approvalHost, { ttlMinutes: 120 });
    await admin.patch(`/hosts/${approvalHost}`, { policy: { maxTtlMinutes: 60 } });
    expect(await read(pending.id)).toMatchObject({ status: "pending_approval", ttlMinutes: 60 });
    await admin.patch(`/hosts/${approvalHost}`, { policy: { kinds: ["dynamic"] } });
    expect(await read(pending.id)).toMatchObject({
      status: "denied",
      statusReason: "denied: payments-db's policy no longer allows it: payments-db does not allow local tunnels",
    });
    expect(await audit(pending.id)).toContain("tunnel.denied");
    await admin.patch(`/hosts/${approvalHost}`, { policy: { maxTtlMinutes: 1440, kinds: ["local", "remote", "dynamic"] } });
  });

  it("closes the requests of a user who is disabled", async () => {
    await warren.createUser({ email: "leaver@example.com", password });
    await admin.post(`/teams/${teamId}/members`, { email: "leaver@example.com" });
    const leaver = apiClient(warren.url, await warren.createToken("leaver@example.com"));
    const pending = await request(leaver, approvalHost);
    const users = (await admin.get<{ users: { id: string; email: string }[] }>("/users")).body.users;
    await admin.patch(`/users/${users.find((u) => u.email === "leaver@example.com")!.id}`, { disabled: true });
    expect(await read(pending.id)).toMatchObject({ status: "closed", statusReason: "its owner leaver@example.com was disabled" });
    expect((await owner.get<{ requests: { id: string }[] }>("/approvals")).body.requests.map((r) => r.id)).not.toContain(pending.id);
  });
});

describe("with a short approval timeout", () => {
  const TIMEOUT_SECONDS = 2;
  let impatient: WarrenHandle;
  let boss: ApiClient;
  let dev: ApiClient;

  // A Warren of its own and two people made with the CLI: set up in the hook, whose time limit is the longer one.
  beforeAll(async () => {
    impatient = await startWarren({ env: { WARREN_APPROVAL_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) } });
    for (const who of ["boss", "dev"]) await impatient.createUser({ email: `${who}@example.com`, password, admin: who === "boss" });
    boss = apiClient(impatient.url, await impatient.createToken("boss@example.com"));
    dev = apiClient(impatient.url, await impatient.createToken("dev@example.com"));
  });
  afterAll(() => impatient?.dispose());

  it("lets unanswered requests and extension requests expire, and says so", async () => {
    const host = (
      await boss.post<{ id: string }>("/hosts", {
        name: "guarded",
        address: sshd.host,
        port: sshd.port,
        username: sshd.username,
        privateKey: sshd.privateKey,
        policy: { approval: true },
      })
    ).body.id;
    const get = async (id: string) => (await boss.get<Tunnel>(`/tunnels/${id}`)).body;
    const actions = async (id: string) => (await boss.get<AuditEvents>(`/audit?tunnelId=${id}`)).body.events.map((e) => e.action).sort();
    const within = (TIMEOUT_SECONDS + 15) * 1000; // the engine looks every few seconds

    const unanswered = (await dev.post<Tunnel>("/tunnels", { kind: "dynamic", hostId: host, reason: "on call", listen: { port: await freePortInRange() } }))
      .body;
    const expired = await waitFor(
      () => get(unanswered.id),
      (t) => t.status === "expired",
      within,
      "request expired",
    );
    expect(expired.statusReason).toBe("nobody approved the request in time");
    expect(await actions(unanswered.id)).toEqual(["tunnel.expired", "tunnel.requested"]);
    expect((await boss.post(`/tunnels/${unanswered.id}/approve`)).status).toBe(409); // nothing waits any more

    const approved = (await dev.post<Tunnel>("/tunnels", { kind: "dynamic", hostId: host, reason: "on call", listen: { port: await freePortInRange() } })).body;
    await boss.post(`/tunnels/${approved.id}/approve`);
    const asked = (await dev.post<Tunnel>(`/tunnels/${approved.id}/extend`, { ttlMinutes: 90 })).body;
    expect(asked.extensionRequest?.minutes).toBe(90);
    const lapsed = await waitFor(
      () => get(approved.id),
      (t) => t.extensionRequest === null,
      within,
      "extension request expired",
    );
    expect(lapsed.expiresAt).toBe(asked.expiresAt);
    expect(await actions(approved.id)).toContain("tunnel.extension_expired");
    await dev.delete(`/tunnels/${approved.id}`);
  }, 120_000); // two waits for the approval timeout, each up to `within`
});
