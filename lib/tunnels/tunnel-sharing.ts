// Joining a tunnel shared with one's team: the member's address goes into
// its allowed sources, so they can connect; the owner (or the member) can
// take it out again, which also cuts that address's open connections.
import { announceTunnelChange } from "@/lib/tunnels/announce-tunnel-change";
import ipaddr from "ipaddr.js";
import { ApiError } from "@/lib/api/api-error";
import { recordAudit } from "@/lib/audit/audit-log";
import { recheckLiveAccess } from "@/lib/tunnels/recheck-live-access";
import { actorId, actorName, type Ctx } from "@/lib/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import { tunnelRooms, userRoom } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { findEngine } from "@/lib/tunnels/engine-port";
import { isMember } from "@/lib/teams/team-access";
import { sourceAllowed } from "@/lib/tunnels/tunnel-rules";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { isOpen } from "@/lib/tunnels/tunnel-status";
import { assertOwnerOrAdmin, findVisible, getTunnel, type TunnelWithHost } from "@/lib/tunnels/tunnels";

/** Applies stored allowed sources to the open tunnel (cutting connections
 *  from sources no longer allowed), and tells whoever sees it (and
 *  `alsoUserId`, who may just have lost sight of it). */
async function applySources(tunnel: TunnelWithHost, sources: string[], alsoUserId: string) {
  if (isOpen(tunnel.status)) await findEngine()?.reconfigure(tunnel.id, { allowedSources: sources });
  await announceTunnelChange(tunnel.id);
  publish([...tunnelRooms(tunnel), userRoom(alsoUserId)], "tunnel:changed", { tunnelId: tunnel.id });
}

function ownRange(ip: string): string {
  const address = ipaddr.process(ip);
  return `${address.toString()}/${address.kind() === "ipv4" ? 32 : 128}`;
}

/** Adds the caller's current address to a shared tunnel's allowed sources. Joining again from elsewhere moves it. */
export async function joinTunnel({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const tunnel = await findVisible(ctx, input.id);
  const userId = actorId(ctx);
  if (!userId || tunnel.ownerId === userId) throw new ApiError({ code: "conflict", message: "it is your own tunnel: there is nothing to join" });
  if (!tunnel.teamId || !(await isMember(userId, tunnel.teamId))) {
    throw new ApiError({ code: "forbidden", message: "only members of the team it is shared with can join it" });
  }
  if (!isOpen(tunnel.status)) throw new ApiError({ code: "conflict", message: `the tunnel is ${tunnel.status}: only open tunnels can be joined` });
  if (tunnel.kind === "remote") {
    throw new ApiError({
      code: "conflict",
      message: `it listens on ${tunnel.host.name}, not on the bastion: Warren has no source address of yours to let in there`,
    });
  }
  if (!ctx.ip) throw new ApiError({ code: "unprocessable_entity", message: "Warren cannot tell your address, so it cannot let you in" });
  const source = ownRange(ctx.ip);
  const others = tunnel.participants.filter((p) => p.userId !== userId);
  const { sources, granted } = withParticipants(tunnel, [...others, { userId, source }]);
  const joinedAt = new Date();
  const details = { source, granted: granted.has(userId), team: tunnel.team?.name ?? null };
  await recordAudit(ctx, { action: "tunnel.joined", hostId: tunnel.hostId, tunnelId: tunnel.id, subjectId: userId, details }, async (tx) => {
    await tx.tunnelParticipant.upsert({
      where: { tunnelId_userId: { tunnelId: tunnel.id, userId } },
      create: { tunnelId: tunnel.id, userId, source, granted: granted.has(userId), joinedAt },
      update: { source, granted: granted.has(userId), joinedAt },
    });
    await storeSources(tx, tunnel.id, others, granted, sources);
  });
  await applySources(tunnel, sources, userId);
  return getTunnel({ ctx, input: { id: tunnel.id } });
}

type Joiner = { userId: string; source: string };

/** The owner's own ranges: the allowed sources less what joining added. */
export function ownerSources(tunnel: TunnelWithHost): string[] {
  const added = new Set(tunnel.participants.filter((p) => p.granted).map((p) => p.source));
  return tunnelSpec(tunnel).allowedSources.filter((range) => !added.has(range));
}

/** The allowed sources for these participants, recomputed from the owner's:
 *  each address the owner's ranges do not already let in is added once, and
 *  every participant from it counts as holding it (`granted`), so one of two
 *  people joined from the same address leaving keeps the other's in. An
 *  empty list already lets anyone in. */
function withParticipants(tunnel: TunnelWithHost, participants: Joiner[]) {
  const base = ownerSources(tunnel);
  const granted = new Set(participants.filter((p) => base.length > 0 && !sourceAllowed(p.source.split("/")[0], base)).map((p) => p.userId));
  const added = participants.filter((p) => granted.has(p.userId)).map((p) => p.source);
  return { sources: [...new Set([...base, ...added])], granted };
}

/** Stores the recomputed sources, and `granted` for the participants whose flag they change. */
async function storeSources(
  tx: Prisma.TransactionClient,
  tunnelId: string,
  participants: (Joiner & { granted?: boolean })[],
  granted: Set<string>,
  sources: string[],
) {
  for (const p of participants.filter((one) => one.granted !== granted.has(one.userId))) {
    await tx.tunnelParticipant.update({ where: { tunnelId_userId: { tunnelId, userId: p.userId } }, data: { granted: granted.has(p.userId) } });
  }
  await tx.tunnel.update({ where: { id: tunnelId }, data: { allowedSources: JSON.stringify(sources) } });
}

/** Takes a participant out: their grant leaves the allowed sources, cutting their open connections. */
export async function dropParticipant(ctx: Ctx, tunnel: TunnelWithHost, userId: string, why: string) {
  const participant = tunnel.participants.find((p) => p.userId === userId);
  if (!participant) throw new ApiError({ code: "not_found", message: `${userId} has not joined this tunnel` });
  const remaining = tunnel.participants.filter((p) => p.userId !== userId);
  const { sources, granted } = withParticipants(tunnel, remaining);
  const details = { email: participant.user.email, source: participant.source, why };
  await recordAudit(ctx, { action: "tunnel.participant_removed", hostId: tunnel.hostId, tunnelId: tunnel.id, subjectId: userId, details }, async (tx) => {
    await tx.tunnelParticipant.delete({ where: { tunnelId_userId: { tunnelId: tunnel.id, userId } } });
    await storeSources(tx, tunnel.id, remaining, granted, sources);
  });
  await applySources(tunnel, sources, userId);
  recheckLiveAccess();
}

/** The owner or an admin removes someone; anyone may leave. */
export async function removeParticipant({ ctx, input }: { ctx: Ctx; input: { id: string; userId: string } }) {
  const tunnel = await findVisible(ctx, input.id);
  const self = actorId(ctx) === input.userId;
  if (!self) assertOwnerOrAdmin(ctx, tunnel, "remove someone from it");
  await dropParticipant(ctx, tunnel, input.userId, self ? "left" : `removed by ${actorName(ctx)}`);
  return getTunnel({ ctx, input: { id: tunnel.id } });
}
