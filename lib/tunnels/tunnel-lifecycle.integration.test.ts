// The tunnel domain's rules in-process, against a real database, with a
// stand-in for the engine: approving, denying, withdrawing, closing,
// extending, joining, losing access and the sweeps, and what each commits
// and tells. The engine itself (real sshd) has its own tests; here it only
// records what it was asked and reports tunnels open as the real one does.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { createHost } from "@/lib/hosts";
import { addMember, createTeam, removeMember } from "@/lib/teams/teams";
import { approveRequest, denyRequest } from "@/lib/tunnels/approvals";
import { setEngine, type LiveStats, type TunnelEngineApi } from "@/lib/tunnels/engine-port";
import { setTunnelStatus } from "@/lib/tunnels/set-tunnel-status";
import { expireStaleRequests, sweepDisabledUsers } from "@/lib/tunnels/sweeps";
import { joinTunnel } from "@/lib/tunnels/tunnel-sharing";
import { closeTunnel, createTunnel, extendTunnel } from "@/lib/tunnels/tunnels";
import { createUser } from "@/lib/users";
import { createHostSchema } from "@/lib/validation/hosts";
import { createTunnelSchema } from "@/lib/validation/tunnels";
import { useTestDatabase } from "@/tests/harness/test-database";

type Call = { op: string; tunnelId: string; detail?: unknown };

/** Records what it is asked; opening reports the tunnel active, as the engine does once its link is up. */
class StandInEngine implements TunnelEngineApi {
  calls: Call[] = [];
  /** What close answers: the final counters of a tunnel it ran. */
  finalCounters: LiveStats | undefined;
  private report = (tunnelId: string) =>
    setTunnelStatus(systemCtx("engine"), { tunnelId, from: ["starting"], to: "active", reason: null }).then(() => undefined);
  open(tunnelId: string) {
    this.calls.push({ op: "open", tunnelId });
    return this.report(tunnelId);
  }
  openApproved(tunnelId: string) {
    this.calls.push({ op: "openApproved", tunnelId });
    return this.report(tunnelId);
  }
  async reconfigure(tunnelId: string, changes: object) {
    this.calls.push({ op: "reconfigure", tunnelId, detail: changes });
    return undefined;
  }
  async close(tunnelId: string) {
    this.calls.push({ op: "close", tunnelId });
    return this.finalCounters;
  }
  live() {
    return undefined;
  }
  async connections() {
    return undefined;
  }
  async killConnection() {
    return undefined;
  }
  extend(tunnelId: string, expiresAt: Date) {
    this.calls.push({ op: "extend", tunnelId, detail: expiresAt });
  }
  async reconcile(tunnelIds: string[]) {
    for (const tunnelId of tunnelIds) this.calls.push({ op: "reconcile", tunnelId });
  }
  health() {
    return { running: true, journalBacklog: 0 };
  }
  linkState() {
    return undefined;
  }
  ops(tunnelId: string) {
    return this.calls.filter((call) => call.tunnelId === tunnelId).map((call) => call.op);
  }
}

type Published = { rooms: string[]; event: string; payload: { tunnelId?: string } & Record<string, unknown> };

let db: Awaited<ReturnType<typeof useTestDatabase>>;
let engine: StandInEngine;
const published: Published[] = [];
const globals = globalThis as typeof globalThis & { warrenIo?: unknown };
const cli = systemCtx("test");
const password = "correct horse battery";
let admin: Ctx, alice: Ctx, bob: Ctx, carol: Ctx;
let approvalHostId: string, openHostId: string, teamHostId: string, teamId: string;
let nextPort = 21000;

async function user(email: string, role: "admin" | "user" = "user"): Promise<Ctx> {
  const created = await createUser({ ctx: cli, input: { email, password, role } });
  return { actor: { type: "user", id: created.id, email, role }, ip: "127.0.0.1" };
}

const userId = (ctx: Ctx) => (ctx.actor.type === "user" ? ctx.actor.id : "");

async function host(name: string, policy: { approval?: boolean }, teamIds?: string[]) {
  return (
    await createHost({
      ctx: admin,
      input: createHostSchema.parse({ name, address: "127.0.0.1", username: "warren", generateKey: true, policy, ...(teamIds ? { teamIds } : {}) }),
    })
  ).id;
}

function request(ctx: Ctx, hostId: string, extra: { teamId?: string; ttlMinutes?: number } = {}) {
  return createTunnel({
    ctx,
    input: createTunnelSchema.parse({
      kind: "local",
      hostId,
      reason: "on call",
      listen: { port: nextPort++ },
      target: { host: "db.internal", port: 5432 },
      ...extra,
    }),
  });
}

const row = (id: string) => getPrisma().tunnel.findUniqueOrThrow({ where: { id } });
const history = async (tunnelId: string) => (await getPrisma().tunnelEvent.findMany({ where: { tunnelId }, orderBy: { at: "asc" } })).map((e) => e.status);
const audited = async (tunnelId: string) => (await getPrisma().auditEvent.findMany({ where: { tunnelId }, orderBy: { seq: "asc" } })).map((a) => a.action);
const told = (tunnelId: string, event: string) => published.filter((p) => p.event === event && p.payload.tunnelId === tunnelId);

beforeAll(async () => {
  db = await useTestDatabase();
  globals.warrenIo = {
    to: (rooms: string[]) => ({ emit: (event: string, payload: Published["payload"]) => published.push({ rooms, event, payload }) }),
    in: () => ({ socketsJoin() {}, socketsLeave() {} }),
  };
  admin = await user("admin@example.com", "admin");
  [alice, bob, carol] = [await user("alice@example.com"), await user("bob@example.com"), await user("carol@example.com")];
  teamId = (await createTeam({ ctx: admin, input: { name: "ops", ownerEmail: "bob@example.com" } })).id;
  await addMember({ ctx: admin, input: { teamId, member: { email: "alice@example.com", role: "member" } } });
  await addMember({ ctx: admin, input: { teamId, member: { email: "carol@example.com", role: "member" } } });
  approvalHostId = await host("guarded", { approval: true });
  openHostId = await host("open", {});
  teamHostId = await host("ops-only", {}, [teamId]);
});

beforeEach(() => {
  engine = new StandInEngine();
  setEngine(engine);
  published.length = 0;
});

afterAll(async () => {
  setEngine(undefined);
  globals.warrenIo = undefined;
  await db?.dispose();
});

describe("approving a request", () => {
  it("starts it: status, new expiry, history and audit records commit together; the engine opens it; rooms told once", async () => {
    const asked = await request(alice, approvalHostId, { ttlMinutes: 30 });
    expect(asked.status).toBe("pending_approval");
    const before = Date.now();
    await approveRequest({ ctx: bob, input: { id: asked.id, reason: "ok" } });
    const approved = await row(asked.id);
    expect(approved).toMatchObject({ status: "active", pendingUntil: null });
    expect(approved.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(await history(asked.id)).toEqual(["pending_approval", "starting", "active"]);
    expect(await audited(asked.id)).toEqual(["tunnel.requested", "tunnel.approved", "tunnel.opened"]);
    expect(engine.ops(asked.id)).toEqual(["openApproved"]);
    const starting = told(asked.id, "tunnel:status").filter((p) => p.payload.status === "starting");
    expect(starting).toHaveLength(1);
    expect(starting[0]!.rooms).toEqual([`user:${userId(alice)}`, "admin"]);
    expect(starting[0]!.payload).toMatchObject({ reason: "approved by bob@example.com: ok" });
    expect(told(asked.id, "request:resolved").map((p) => p.payload.outcome)).toEqual(["approved"]);
  });

  it("by two approvers at once: one starts it, the other is told it was already decided", async () => {
    const asked = await request(alice, approvalHostId);
    const results = await Promise.allSettled([approveRequest({ ctx: bob, input: { id: asked.id } }), approveRequest({ ctx: admin, input: { id: asked.id } })]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((result) => result.status === "rejected")!;
    expect(refused.status === "rejected" && refused.reason).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/^nothing waits for a decision on this tunnel/),
    });
    expect(engine.ops(asked.id)).toEqual(["openApproved"]);
    expect((await audited(asked.id)).filter((action) => action === "tunnel.approved")).toHaveLength(1);
    expect((await history(asked.id)).filter((status) => status === "starting")).toHaveLength(1);
  });
});

describe("denying a request", () => {
  it("ends it with the reason, in its history and audit trail; approvers and the requester are told", async () => {
    const asked = await request(alice, approvalHostId);
    await denyRequest({ ctx: bob, input: { id: asked.id, reason: "not today" } });
    expect(await row(asked.id)).toMatchObject({ status: "denied", statusReason: "denied by bob@example.com: not today" });
    expect((await row(asked.id)).closedAt).not.toBeNull();
    expect(await history(asked.id)).toEqual(["pending_approval", "denied"]);
    const denial = await getPrisma().auditEvent.findFirstOrThrow({ where: { tunnelId: asked.id, action: "tunnel.denied" } });
    expect(JSON.parse(denial.details)).toEqual({ reason: "denied by bob@example.com: not today", from: "pending_approval" });
    expect(told(asked.id, "tunnel:status").map((p) => p.payload.status)).toEqual(["denied"]);
    const resolved = told(asked.id, "request:resolved");
    expect(resolved.map((p) => p.payload.outcome)).toEqual(["denied"]);
    expect(resolved[0]!.rooms).toContain(`user:${userId(alice)}`);
    expect(engine.calls).toEqual([]);
  });

  it("racing the requester's withdrawal: exactly one of them ends it", async () => {
    const asked = await request(alice, approvalHostId);
    await Promise.allSettled([denyRequest({ ctx: bob, input: { id: asked.id, reason: "no" } }), closeTunnel({ ctx: alice, input: { id: asked.id } })]);
    const ended = await row(asked.id);
    expect(["denied", "closed"]).toContain(ended.status);
    expect(await history(asked.id)).toEqual(["pending_approval", ended.status]);
    expect((await audited(asked.id)).filter((action) => action === "tunnel.denied" || action === "tunnel.closed")).toHaveLength(1);
    expect(told(asked.id, "tunnel:status")).toHaveLength(1);
  });
});

describe("withdrawing and closing", () => {
  it("a withdrawn request closes with who withdrew it; its approvers drop it", async () => {
    const asked = await request(alice, approvalHostId);
    await closeTunnel({ ctx: alice, input: { id: asked.id, reason: "changed my mind" } });
    expect(await row(asked.id)).toMatchObject({ status: "closed", statusReason: "request withdrawn by alice@example.com: changed my mind" });
    expect(told(asked.id, "request:resolved").map((p) => p.payload.outcome)).toEqual(["withdrawn"]);
    expect(engine.calls).toEqual([]);
  });

  it("an open tunnel is stopped by the engine, and its final counters commit with its closed status", async () => {
    const open = await request(alice, openHostId);
    expect((await row(open.id)).status).toBe("active");
    engine.finalCounters = { bytesIn: 1234, bytesOut: 99, connections: 0, connectionsTotal: 7 };
    await closeTunnel({ ctx: alice, input: { id: open.id } });
    const closed = await row(open.id);
    expect(closed).toMatchObject({ status: "closed", statusReason: "closed by alice@example.com", bytesIn: 1234n, bytesOut: 99n, connectionsTotal: 7 });
    expect(closed.closedAt).not.toBeNull();
    expect(engine.ops(open.id)).toEqual(["open", "close"]);
    expect(await audited(open.id)).toEqual(["tunnel.requested", "tunnel.opened", "tunnel.closed"]);
    // Closing it again changes nothing and tells nobody.
    await closeTunnel({ ctx: alice, input: { id: open.id } });
    expect(await history(open.id)).toEqual(["starting", "active", "closed"]);
    expect(told(open.id, "tunnel:status").map((p) => p.payload.status)).toEqual(["active", "closed"]);
  });
});

describe("extending", () => {
  it("moves the expiry at once where no approval is needed, and tells the engine", async () => {
    const open = await request(alice, openHostId, { ttlMinutes: 10 });
    const before = Date.now();
    await extendTunnel({ ctx: alice, input: { id: open.id, ttlMinutes: 120 } });
    const extended = await row(open.id);
    expect(extended.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 120 * 60_000);
    expect(engine.calls.find((call) => call.op === "extend")).toEqual({ op: "extend", tunnelId: open.id, detail: extended.expiresAt });
    expect(await audited(open.id)).toContain("tunnel.extended");
    // Pages showing it hear that it changed: a status event does not carry the expiry.
    expect(told(open.id, "tunnel:changed").map((p) => p.rooms)).toEqual([expect.arrayContaining([`user:${open.ownerId}`, "admin"])]);
  });

  it("asks for approval where the host needs it; approving it moves the expiry", async () => {
    const asked = await request(alice, approvalHostId, { ttlMinutes: 10 });
    await approveRequest({ ctx: bob, input: { id: asked.id } });
    await extendTunnel({ ctx: alice, input: { id: asked.id, ttlMinutes: 90 } });
    expect(await row(asked.id)).toMatchObject({ status: "active", extensionMinutes: 90 });
    expect(engine.ops(asked.id)).toEqual(["openApproved"]);
    expect(told(asked.id, "tunnel:changed")).toEqual([]);
    const before = Date.now();
    await approveRequest({ ctx: bob, input: { id: asked.id } });
    const extended = await row(asked.id);
    expect(extended).toMatchObject({ status: "active", extensionMinutes: null, extensionUntil: null });
    expect(extended.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 90 * 60_000);
    expect(engine.ops(asked.id)).toEqual(["openApproved", "extend"]);
    expect(told(asked.id, "tunnel:changed")).toHaveLength(1);
  });
});

describe("sharing", () => {
  it("a team member joining adds their address to the open tunnel's allowed sources, in the engine too", async () => {
    const shared = await request(alice, openHostId, { teamId });
    await joinTunnel({ ctx: { ...carol, ip: "10.1.2.3" }, input: { id: shared.id } });
    const sources = JSON.parse((await row(shared.id)).allowedSources) as string[];
    expect(sources).toContain("10.1.2.3/32");
    expect(engine.calls.filter((call) => call.op === "reconfigure")).toEqual([{ op: "reconfigure", tunnelId: shared.id, detail: { allowedSources: sources } }]);
    expect(told(shared.id, "tunnel:changed").length).toBeGreaterThan(0);
  });
});

describe("losing access", () => {
  it("leaving the team closes tunnels through its hosts and takes the member out of tunnels they joined", async () => {
    const dave = await user("dave@example.com");
    await addMember({ ctx: admin, input: { teamId, member: { email: "dave@example.com", role: "member" } } });
    const own = await request(dave, teamHostId);
    const joined = await request(alice, openHostId, { teamId });
    await joinTunnel({ ctx: { ...dave, ip: "10.9.9.9" }, input: { id: joined.id } });
    engine.calls = [];
    await removeMember({ ctx: admin, input: { teamId, userId: userId(dave) } });
    expect(await row(own.id)).toMatchObject({ status: "closed", statusReason: "dave@example.com left ops: dave@example.com may no longer use ops-only" });
    expect(engine.ops(own.id)).toEqual(["close"]);
    expect(JSON.parse((await row(joined.id)).allowedSources)).not.toContain("10.9.9.9/32");
    expect(await getPrisma().tunnelParticipant.count({ where: { tunnelId: joined.id } })).toBe(0);
  });
});

describe("sweeps", () => {
  it("a request nobody answered expires once, however many sweeps run at once", async () => {
    const asked = await request(alice, approvalHostId);
    await getPrisma().tunnel.update({ where: { id: asked.id }, data: { pendingUntil: new Date(Date.now() - 1_000) } });
    await Promise.all([expireStaleRequests(), expireStaleRequests(), expireStaleRequests()]);
    expect(await row(asked.id)).toMatchObject({ status: "expired", statusReason: "nobody approved the request in time" });
    expect(await history(asked.id)).toEqual(["pending_approval", "expired"]);
    expect((await audited(asked.id)).filter((action) => action === "tunnel.expired")).toHaveLength(1);
    expect(told(asked.id, "request:resolved").map((p) => p.payload.outcome)).toEqual(["expired"]);
  });

  it("a user disabled elsewhere (the CLI): their tunnels close, their requests are withdrawn, they leave what they joined", async () => {
    const erin = await user("erin@example.com");
    await addMember({ ctx: admin, input: { teamId, member: { email: "erin@example.com", role: "member" } } });
    const open = await request(erin, openHostId);
    const asked = await request(erin, approvalHostId);
    const joined = await request(alice, openHostId, { teamId });
    await joinTunnel({ ctx: { ...erin, ip: "10.7.7.7" }, input: { id: joined.id } });
    await getPrisma().user.update({ where: { id: userId(erin) }, data: { disabled: true } });
    await sweepDisabledUsers(cli);
    await sweepDisabledUsers(cli); // a second round finds nothing left to do
    expect(await row(open.id)).toMatchObject({ status: "closed", statusReason: "its owner erin@example.com was disabled" });
    expect(await row(asked.id)).toMatchObject({ status: "closed", statusReason: "its owner erin@example.com was disabled" });
    expect(await history(open.id)).toEqual(["starting", "active", "closed"]);
    expect(told(asked.id, "request:resolved").map((p) => p.payload.outcome)).toEqual(["withdrawn"]);
    expect(JSON.parse((await row(joined.id)).allowedSources)).not.toContain("10.7.7.7/32");
    expect(await row(joined.id)).toMatchObject({ status: "active" });
    expect(told(open.id, "tunnel:status").map((p) => p.payload.status)).toEqual(["active", "closed"]);
  });
});
