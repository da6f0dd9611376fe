// When team membership or a host's assignment changes, what people lost
// access to goes at once: their tunnels through hosts they may no longer use
// close, sharing with a team they left stops, and they leave tunnels they
// had joined through it.
import { systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { findEngine, getEngine } from "@/lib/tunnels/engine-port";
import { resolveRequest } from "@/lib/tunnels/approval-events";
import { tunnelRooms } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { hostVisibleWhere, isMember } from "@/lib/teams/team-access";
import { OPEN_STATUSES, RESERVING_STATUSES, isOpen } from "@/lib/tunnels/tunnel-status";
import { dropParticipant } from "@/lib/tunnels/tunnel-sharing";
import { findVisible } from "@/lib/tunnels/tunnels";

/** Tunnels stop being shared: the engine stops telling the team about them too. */
export async function unshare(where: Prisma.TunnelWhereInput) {
  await announceUnshared(await stopSharing(getPrisma(), where));
}

type Unshared = { id: string; ownerId: string; teamId: string | null };

/** The database half of `unshare`, in `db` (a transaction's, for a change it is part of); answers the tunnels. */
export async function stopSharing(db: Prisma.TransactionClient, where: Prisma.TunnelWhereInput): Promise<Unshared[]> {
  const tunnels = await db.tunnel.findMany({ where, select: { id: true, ownerId: true, teamId: true } });
  await db.tunnel.updateMany({ where: { id: { in: tunnels.map((t) => t.id) } }, data: { teamId: null } });
  return tunnels;
}

/** The rest of `unshare`, once the change is committed. */
export async function announceUnshared(tunnels: Unshared[]) {
  for (const tunnel of tunnels) {
    await findEngine()?.reconfigure(tunnel.id, { teamId: null });
    publish(tunnelRooms(tunnel), "tunnel:changed", { tunnelId: tunnel.id }); // the team, as it was, drops it
  }
}

type Scope = { userIds?: string[]; hostId?: string; why: string };

async function mayUseHost(owner: { id: string; email: string; role: "admin" | "user" }, hostId: string) {
  const ownerCtx: Ctx = { actor: { type: "user", ...owner } };
  return (await getPrisma().host.count({ where: { id: hostId, ...hostVisibleWhere(ownerCtx) } })) > 0;
}

async function closeOwned(ctx: Ctx, where: Prisma.TunnelWhereInput, why: string) {
  const tunnels = await getPrisma().tunnel.findMany({
    where: { ...where, status: { in: RESERVING_STATUSES } },
    select: { id: true, ownerId: true, hostId: true, status: true, teamId: true, host: { select: { name: true } }, owner: { select: { id: true, email: true, role: true } } },
  });
  for (const tunnel of tunnels) {
    if (!(await mayUseHost(tunnel.owner, tunnel.hostId))) {
      const reason = `${why}: ${tunnel.owner.email} may no longer use ${tunnel.host.name}`;
      if (isOpen(tunnel.status)) await getEngine().close(tunnel.id, { status: "closed", reason, ctx });
      else {
        await getEngine().transition(tunnel.id, "closed", reason, ctx);
        await resolveRequest(tunnel, "tunnel", "withdrawn", reason);
      }
    } else if (tunnel.teamId && !(await isMember(tunnel.ownerId, tunnel.teamId))) {
      await unshare({ id: tunnel.id });
    }
  }
}

/** Participants of open tunnels no longer shared with a team of theirs. */
async function dropStrayParticipants(ctx: Ctx, where: { userId?: { in: string[] }; tunnel: Prisma.TunnelWhereInput }, why: string) {
  const participants = await getPrisma().tunnelParticipant.findMany({
    where: { ...where, tunnel: { ...where.tunnel, status: { in: OPEN_STATUSES } } },
    select: { tunnelId: true, userId: true, tunnel: { select: { teamId: true } } } });
  for (const { tunnelId, userId, tunnel } of participants) {
    if (tunnel.teamId && (await isMember(userId, tunnel.teamId))) continue;
    await dropParticipant(ctx, await findVisible(systemCtx("access"), tunnelId), userId, why);
  }
}

export async function enforceAccess(ctx: Ctx, { userIds, hostId, why }: Scope) {
  const owned: Prisma.TunnelWhereInput = hostId ? { hostId } : { ownerId: { in: userIds ?? [] } };
  await closeOwned(ctx, owned, why);
  await dropStrayParticipants(ctx, { tunnel: hostId ? { hostId } : {}, ...(userIds ? { userId: { in: userIds } } : {}) }, why);
  // Tunnels whose owner left the team stopped being shared: their participants go too.
  await dropStrayParticipants(ctx, { tunnel: { ...owned, teamId: null } }, why);
}
