// Deciding requests on hosts that need approval: opening a tunnel, or
// extending one. Team owners decide their members' requests, admins anyone's;
// nobody decides their own.
import { ApiError } from "@/lib/api/api-error";
import { audited, recordAudit, type AuditInput } from "@/lib/audit/audit-log";
import { actorId, actorName, systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { getEngine } from "@/lib/tunnels/engine-port";
import { endRequest } from "@/lib/tunnels/end-tunnel";
import { setTunnelStatus } from "@/lib/tunnels/set-tunnel-status";
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

const nothingWaits = (status: string) => new ApiError({ code: "conflict", message: `nothing waits for a decision on this tunnel (it is ${status})` });

/** Another decision (or a withdrawal, an expiry) settled the request first. */
async function decidedMeanwhile(id: string) {
  return nothingWaits((await getPrisma().tunnel.findUniqueOrThrow({ where: { id }, select: { status: true } })).status);
}

async function decidable(ctx: Ctx, id: string) {
  const tunnel = await findVisible(ctx, id);
  if (!awaitsDecision(tunnel)) throw nothingWaits(tunnel.status);
  if (!(await canApprove(ctx, tunnel))) {
    const own = tunnel.ownerId === actorId(ctx);
    throw new ApiError({
      code: "forbidden",
      message: own ? "you cannot decide your own request" : "only the requester's team owners and admins can decide this request",
    });
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
    await assertPortFree(ctx, { kind: tunnel.kind, hostId: tunnel.hostId, listen: tunnelSpec(tunnel).listen }, tunnel.id);
    const approved = `approved by ${actorName(ctx)}${said(reason)}`;
    const won = await setTunnelStatus(ctx, {
      tunnelId: tunnel.id,
      from: "pending_approval",
      to: "starting",
      reason: approved,
      // Its time starts now, not when it was asked for.
      data: { expiresAt: new Date(Date.now() + tunnel.ttlMinutes * 60_000), pendingUntil: null },
      audit: [{ action: "tunnel.approved", hostId: tunnel.hostId, tunnelId: tunnel.id, details }],
    });
    if (!won) throw await decidedMeanwhile(tunnel.id);
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
    if (!(await endRequest(ctx, tunnel, { to: "denied", reason: denied }))) throw await decidedMeanwhile(tunnel.id);
  } else {
    await recordAudit(
      ctx,
      { action: "tunnel.extension_denied", hostId: tunnel.hostId, tunnelId: tunnel.id, details: { requester: tunnel.owner.email, reason } },
      async (tx) => {
        await tx.tunnel.update({ where: { id: tunnel.id }, data: { extensionMinutes: null, extensionUntil: null } });
        // The requester reads why in the tunnel's history, whenever they look.
        await tx.tunnelEvent.create({
          data: { tunnelId: tunnel.id, status: tunnel.status, reason: `extension of ${tunnel.extensionMinutes} minutes ${denied}` },
        });
      },
    );
    await resolveRequest(tunnel, "extension", "denied", `extension ${denied}`);
  }
  return tunnelDto(ctx, tunnel.id);
}

/** Tunnels waiting for an answer: to open, or to run longer. */
export const WAITING_FOR_APPROVAL = {
  OR: [{ status: "pending_approval" as const }, { extensionMinutes: { not: null }, status: { in: OPEN_STATUSES } }],
} satisfies Prisma.TunnelWhereInput;

/** Requests the caller may decide, oldest first, a page at a time (a page may hold fewer than its limit: follow nextCursor). */
export async function listApprovals({ ctx, input }: { ctx: Ctx; input: PageQuery }) {
  const userId = actorId(ctx);
  const candidates = isPrivileged(ctx)
    ? { ...WAITING_FOR_APPROVAL, ...(userId ? { ownerId: { not: userId } } : {}) }
    : { ...WAITING_FOR_APPROVAL, ownerId: { not: userId! }, owner: { memberships: { some: { teamId: { in: ownedTeams(await teamRoles(userId!)) } } } } };
  const { tunnels, nextCursor } = await listTunnelsWhere(ctx, candidates, "asc", input);
  const allowed = await Promise.all(tunnels.map((tunnel) => canApprove(ctx, tunnel)));
  return { requests: tunnels.filter((_, index) => allowed[index]), nextCursor };
}

const expiryCtx = systemCtx("approvals");

/** Extension requests nobody answered in time lapse (run by lib/tunnels/sweeps.ts); the tunnel runs on to its expiry. */
export async function expireStaleExtensions(now = new Date()) {
  const prisma = getPrisma();
  const stale = await prisma.tunnel.findMany({
    where: { extensionUntil: { lte: now } },
    select: { id: true, ownerId: true, hostId: true, status: true, extensionMinutes: true },
  });
  for (const tunnel of stale) {
    // Cleared only if still stale (a compare-and-set: an answer or another sweep may have come first), with its record.
    const lapsed = await audited(expiryCtx, async (tx) => {
      const { count } = await tx.tunnel.updateMany({
        where: { id: tunnel.id, extensionUntil: { lte: now } },
        data: { extensionMinutes: null, extensionUntil: null },
      });
      const recorded = count === 1 && isOpen(tunnel.status);
      const audit: AuditInput[] = recorded
        ? [{ action: "tunnel.extension_expired", hostId: tunnel.hostId, tunnelId: tunnel.id, details: { ttlMinutes: tunnel.extensionMinutes } }]
        : [];
      return { result: recorded, audit };
    });
    if (lapsed) await resolveRequest(tunnel, "extension", "expired", "nobody approved the extension in time");
  }
}
