// What ends a tunnel or a request without its owner asking: requests nobody
// answered in time, users disabled (by the API, or by the CLI in another
// process), access lost with a team or a host. Warren runs the timed ones
// every few seconds (server/register-sweeps.ts); a change of access runs its
// own at once. Every status change is a compare-and-set, so a sweep racing a
// user, or another sweep, ends each tunnel once.
import { sweepDeviceAuthorizations } from "@/lib/auth/device-flow";
import { systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import { hostVisibleWhere, isMember } from "@/lib/teams/team-access";
import { expireStaleExtensions } from "@/lib/tunnels/approvals";
import { noticeTimedTunnelEvents } from "@/lib/notifications/tunnel-notices";
import { closeOpenTunnel, endRequest } from "@/lib/tunnels/end-tunnel";
import { unshare } from "@/lib/tunnels/tunnel-access";
import { dropParticipant } from "@/lib/tunnels/tunnel-sharing";
import { OPEN_STATUSES, RESERVING_STATUSES, isOpen } from "@/lib/tunnels/tunnel-status";
import { findVisible } from "@/lib/tunnels/tunnels";

const accessCtx = systemCtx("access");
const approvalsCtx = systemCtx("approvals");
const sweepCtx = systemCtx("sweeps");

/** Ends an open tunnel or withdraws a waiting request, with `reason`. */
async function endEither(ctx: Ctx, tunnel: { id: string; ownerId: string; hostId: string; status: TunnelStatus }, reason: string) {
  if (isOpen(tunnel.status)) await closeOpenTunnel(ctx, tunnel.id, { to: "closed", reason });
  else await endRequest(ctx, tunnel, { to: "closed", reason });
}

/** Requests nobody answered in time expire; so do extension requests. */
export async function expireStaleRequests(now = new Date()) {
  const stale = await getPrisma().tunnel.findMany({
    where: { status: "pending_approval", pendingUntil: { lte: now } },
    select: { id: true, ownerId: true, hostId: true },
  });
  for (const tunnel of stale) await endRequest(approvalsCtx, tunnel, { to: "expired", reason: "nobody approved the request in time" });
  await expireStaleExtensions(now);
}

/** A disabled user's tunnels close and their requests are withdrawn; they
 *  leave every open tunnel they joined (their address goes from its allowed
 *  sources, which cuts their connections). */
export async function sweepDisabledUsers(ctx: Ctx) {
  const owned = await getPrisma().tunnel.findMany({
    where: { status: { in: RESERVING_STATUSES }, owner: { disabled: true } },
    select: { id: true, ownerId: true, hostId: true, status: true, owner: { select: { email: true } } },
  });
  for (const tunnel of owned) await endEither(ctx, tunnel, `its owner ${tunnel.owner.email} was disabled`);
  const joined = await getPrisma().tunnelParticipant.findMany({
    where: { user: { disabled: true }, tunnel: { status: { in: OPEN_STATUSES } } },
    select: { tunnelId: true, userId: true, user: { select: { email: true } } },
  });
  for (const { tunnelId, userId, user } of joined) {
    await dropParticipant(ctx, await findVisible(accessCtx, tunnelId), userId, `${user.email} was disabled`);
  }
}

/** The timed sweeps, in the order Warren runs them. */
export const TIMED_SWEEPS: { what: string; run(): Promise<void> }[] = [
  { what: "closing what disabled users left", run: () => sweepDisabledUsers(sweepCtx) },
  { what: "expiring approval requests", run: () => expireStaleRequests() },
  { what: "clearing device sign-ins that ended", run: () => sweepDeviceAuthorizations() },
  { what: "telling owners of tunnels that expire soon or reconnect long", run: () => noticeTimedTunnelEvents() },
];

type Scope = { userIds?: string[]; hostId?: string; why: string };

async function mayUseHost(owner: { id: string; email: string; role: "admin" | "user" }, hostId: string) {
  const ownerCtx: Ctx = { actor: { type: "user", ...owner } };
  return (await getPrisma().host.count({ where: { id: hostId, ...hostVisibleWhere(ownerCtx) } })) > 0;
}

async function closeOwned(ctx: Ctx, where: Prisma.TunnelWhereInput, why: string) {
  const tunnels = await getPrisma().tunnel.findMany({
    where: { ...where, status: { in: RESERVING_STATUSES } },
    select: {
      id: true,
      ownerId: true,
      hostId: true,
      status: true,
      teamId: true,
      host: { select: { name: true } },
      owner: { select: { id: true, email: true, role: true } },
    },
  });
  for (const tunnel of tunnels) {
    if (!(await mayUseHost(tunnel.owner, tunnel.hostId))) {
      await endEither(ctx, tunnel, `${why}: ${tunnel.owner.email} may no longer use ${tunnel.host.name}`);
    } else if (tunnel.teamId && !(await isMember(tunnel.ownerId, tunnel.teamId))) {
      await unshare({ id: tunnel.id });
    }
  }
}

/** Participants of open tunnels no longer shared with a team of theirs. */
async function dropStrayParticipants(ctx: Ctx, where: { userId?: { in: string[] }; tunnel: Prisma.TunnelWhereInput }, why: string) {
  const participants = await getPrisma().tunnelParticipant.findMany({
    where: { ...where, tunnel: { ...where.tunnel, status: { in: OPEN_STATUSES } } },
    select: { tunnelId: true, userId: true, tunnel: { select: { teamId: true } } },
  });
  for (const { tunnelId, userId, tunnel } of participants) {
    if (tunnel.teamId && (await isMember(userId, tunnel.teamId))) continue;
    await dropParticipant(ctx, await findVisible(accessCtx, tunnelId), userId, why);
  }
}

/** When team membership or a host's assignment changes, what people lost
 *  access to goes at once: their tunnels through hosts they may no longer use
 *  close, sharing with a team they left stops, and they leave tunnels they
 *  had joined through it. */
export async function enforceAccess(ctx: Ctx, { userIds, hostId, why }: Scope) {
  const owned: Prisma.TunnelWhereInput = hostId ? { hostId } : { ownerId: { in: userIds ?? [] } };
  await closeOwned(ctx, owned, why);
  await dropStrayParticipants(ctx, { tunnel: hostId ? { hostId } : {}, ...(userIds ? { userId: { in: userIds } } : {}) }, why);
  // Tunnels whose owner left the team stopped being shared: their participants go too.
  await dropStrayParticipants(ctx, { tunnel: { ...owned, teamId: null } }, why);
}
