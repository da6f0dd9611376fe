// Deciding requests on hosts that need approval: opening a tunnel, or
// extending one. Team owners decide their members' requests, admins anyone's;
// nobody decides their own.
import { ApiError } from "@/lib/api/api-error";
import { recordAudit } from "@/lib/audit/audit-log";
import { actorId, actorName, systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { getEngine } from "@/lib/tunnels/engine-port";
import { applyHostPolicy, hostPolicy } from "@/lib/tunnels/host-policy";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { resolveRequest } from "@/lib/tunnels/approval-events";
import { canApprove, isPrivileged, ownedTeams, teamRoles } from "@/lib/teams/team-access";
import { OPEN_STATUSES, awaitsDecision, isOpen } from "@/lib/tunnels/tunnel-status";
import { applyExtension, assertPortFree, findVisible, listTunnelsWhere, tunnelDto } from "@/lib/tunnels/tunnels";
import { assertHostLimit } from "@/lib/tunnels/tunnel-limits";
import type { PageQuery } from "@/lib/validation/page";
import type { DenyRequest, OptionalReason } from "@/lib/validation/tunnels";

const said = (reason: string | undefined) => (reason ? `: ${reason}` : "");

async function decidable(ctx: Ctx, id: string) {
  const tunnel = await findVisible(ctx, id);
  if (!awaitsDecision(tunnel)) throw new ApiError({ code: "conflict", message: `nothing waits for a decision on this tunnel (it is ${tunnel.status})` });
  if (!(await canApprove(ctx, tunnel))) {
    const own = tunnel.ownerId === actorId(ctx);
    throw new ApiError({ code: "forbidden", message: own ? "you cannot decide your own request" : "only the requester's team owners and admins can decide this request" });
  }
  return tunnel;
}

/** The host's policy may have changed while the request waited: what it no longer allows cannot be approved. */
async function assertStillAllowed(tunnel: Awaited<ReturnType<typeof decidable>>) {
  const host = await getPrisma().host.findUniqueOrThrow({ where: { id: tunnel.hostId } });
  const request = { ...tunnelSpec(tunnel), ttlMinutes: tunnel.ttlMinutes };
  const policy = hostPolicy(host);
  try {
    // The sources were checked against the requester's address when they asked.
    applyHostPolicy(request, policy, host.name, { ip: null, isAdmin: true });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new ApiError({ code: "conflict", message: `${host.name}'s policy changed since the request: ${error.message}; deny it instead` });
  }
  // Waiting, it held no place among the requester's open tunnels on the host.
  await assertHostLimit(getPrisma(), { ownerId: tunnel.ownerId, who: tunnel.owner.email, host, policy, pending: false });
}

export async function approveRequest({ ctx, input }: { ctx: Ctx; input: { id: string } & OptionalReason }) {
  const tunnel = await decidable(ctx, input.id);
  const { reason } = input;
  const details = { requester: tunnel.owner.email, reason: reason ?? null };
  if (tunnel.status === "pending_approval") {
    await assertStillAllowed(tunnel);
    await assertPortFree(ctx, { kind: tunnel.kind, hostId: tunnel.hostId, listen: { address: tunnel.listenAddress, port: tunnel.listenPort } }, tunnel.id);
    // Its time starts now, not when it was asked for.
    await getPrisma().tunnel.update({ where: { id: tunnel.id }, data: { expiresAt: new Date(Date.now() + tunnel.ttlMinutes * 60_000), pendingUntil: null } });
    await recordAudit(ctx, { action: "tunnel.approved", hostId: tunnel.hostId, tunnelId: tunnel.id, details });
    const approved = `approved by ${actorName(ctx)}${said(reason)}`;
    await getEngine().transition(tunnel.id, "starting", approved, ctx);
    await resolveRequest(tunnel, "tunnel", "approved", approved);
    await getEngine().openApproved(tunnel.id);
  } else {
    await applyExtension(ctx, tunnel, tunnel.extensionMinutes!, { approved: true, ...details });
    await resolveRequest(tunnel, "extension", "approved", `extension approved by ${actorName(ctx)}${said(reason)}`);
  }
  return tunnelDto(ctx, tunnel.id);
}

export async function denyRequest({ ctx, input }: { ctx: Ctx; input: { id: string } & DenyRequest }) {
  const tunnel = await decidable(ctx, input.id);
  const { reason } = input;
  const denied = `denied by ${actorName(ctx)}: ${reason}`;
  if (tunnel.status === "pending_approval") {
    await getEngine().transition(tunnel.id, "denied", denied, ctx);
    await resolveRequest(tunnel, "tunnel", "denied", denied);
  } else {
    await recordAudit(ctx, { action: "tunnel.extension_denied", hostId: tunnel.hostId, tunnelId: tunnel.id, details: { requester: tunnel.owner.email, reason } }, (tx) =>
      tx.tunnel.update({ where: { id: tunnel.id }, data: { extensionMinutes: null, extensionUntil: null } }),
    );
    await resolveRequest(tunnel, "extension", "denied", `extension ${denied}`);
  }
  return tunnelDto(ctx, tunnel.id);
}

/** Requests the caller may decide, oldest first, a page at a time (a page may hold fewer than its limit: follow nextCursor). */
export async function listApprovals({ ctx, input }: { ctx: Ctx; input: PageQuery }) {
  const userId = actorId(ctx);
  const waiting = { OR: [{ status: "pending_approval" as const }, { extensionMinutes: { not: null }, status: { in: OPEN_STATUSES } }] };
  const candidates = isPrivileged(ctx)
    ? { ...waiting, ...(userId ? { ownerId: { not: userId } } : {}) }
    : { ...waiting, ownerId: { not: userId! }, owner: { memberships: { some: { teamId: { in: ownedTeams(await teamRoles(userId!)) } } } } };
  const { tunnels, nextCursor } = await listTunnelsWhere(ctx, candidates, "asc", input);
  const allowed = await Promise.all(tunnels.map((tunnel) => canApprove(ctx, tunnel)));
  return { requests: tunnels.filter((_, index) => allowed[index]), nextCursor };
}

const expiryCtx = systemCtx("approvals");

/** A disabled user's requests wait for nobody: they close (at once from the
 *  API, within seconds when the CLI disabled them). */
export async function closeRequestsOfDisabledOwners() {
  const orphans = await getPrisma().tunnel.findMany({
    where: { status: "pending_approval", owner: { disabled: true } },
    select: { id: true, ownerId: true, hostId: true, owner: { select: { email: true } } },
  });
  for (const tunnel of orphans) {
    const reason = `its owner ${tunnel.owner.email} was disabled`;
    await getEngine().transition(tunnel.id, "closed", reason, expiryCtx);
    await resolveRequest(tunnel, "tunnel", "withdrawn", reason);
  }
}

/** Requests nobody answered in time expire: run by the engine every few seconds. */
export async function expireStaleRequests(now = new Date()) {
  await closeRequestsOfDisabledOwners();
  const prisma = getPrisma();
  const stale = await prisma.tunnel.findMany({
    where: { OR: [{ status: "pending_approval", pendingUntil: { lte: now } }, { extensionUntil: { lte: now } }] },
    select: { id: true, ownerId: true, hostId: true, status: true, extensionMinutes: true },
  });
  for (const tunnel of stale) {
    if (tunnel.status === "pending_approval") {
      const reason = "nobody approved the request in time";
      await getEngine().transition(tunnel.id, "expired", reason, expiryCtx);
      await resolveRequest(tunnel, "tunnel", "expired", reason);
      continue;
    }
    await prisma.tunnel.update({ where: { id: tunnel.id }, data: { extensionMinutes: null, extensionUntil: null } });
    if (!isOpen(tunnel.status)) continue;
    await recordAudit(expiryCtx, { action: "tunnel.extension_expired", hostId: tunnel.hostId, tunnelId: tunnel.id, details: { ttlMinutes: tunnel.extensionMinutes } });
    await resolveRequest(tunnel, "extension", "expired", "nobody approved the extension in time");
  }
}
