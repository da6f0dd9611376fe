// Joining a tunnel shared with one's team: the member's address goes into
// its allowed sources, so they can connect; the owner (or the member) can
// take it out again, which also cuts that address's open connections.
import ipaddr from "ipaddr.js";
import { ApiError } from "@/lib/api/api-error";
import { recordAudit } from "@/lib/audit/audit-log";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { tunnelRooms, userRoom } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { findEngine } from "@/lib/tunnels/engine-port";
import { actorId, isMember } from "@/lib/teams/team-access";
import { sourceAllowed } from "@/lib/tunnels/tunnel-rules";
import { isOpen } from "@/lib/tunnels/tunnel-status";
import { actorName, assertOwnerOrAdmin, findVisible, getTunnel, type TunnelWithHost } from "@/lib/tunnels/tunnels";

/** Stores the new allowed sources, applies them to the open tunnel, and tells
 *  whoever sees it (and `alsoUserId`, who may just have lost sight of it). */
async function saveSources(tunnel: TunnelWithHost, sources: string[], alsoUserId: string) {
  await getPrisma().tunnel.update({ where: { id: tunnel.id }, data: { allowedSources: JSON.stringify(sources) } });
  if (isOpen(tunnel.status)) await findEngine()?.reconfigure(tunnel.id, { allowedSources: sources });
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
    throw new ApiError({ code: "conflict", message: `it listens on ${tunnel.host.name}, not on the bastion: Warren has no source address of yours to let in there` });
  }
  if (!ctx.ip) throw new ApiError({ code: "unprocessable_entity", message: "Warren cannot tell your address, so it cannot let you in" });
  const source = ownRange(ctx.ip);
  const previous = tunnel.participants.find((p) => p.userId === userId);
  const base = previous ? withoutGrant(tunnel, previous) : (JSON.parse(tunnel.allowedSources) as string[]);
  // An empty list already lets anyone in; an address already allowed needs nothing.
  const granted = base.length > 0 && !sourceAllowed(ctx.ip, base);
  const participant = { source, granted, joinedAt: new Date() };
  await getPrisma().tunnelParticipant.upsert({
    where: { tunnelId_userId: { tunnelId: tunnel.id, userId } },
    create: { tunnelId: tunnel.id, userId, ...participant },
    update: participant,
  });
  await saveSources(tunnel, granted ? [...base, source] : base, userId);
  await recordAudit(ctx, { action: "tunnel.joined", hostId: tunnel.hostId, tunnelId: tunnel.id, subjectId: userId, details: { source, granted, team: tunnel.team?.name ?? null } });
  return getTunnel({ ctx, input: { id: tunnel.id } });
}

/** The allowed sources without what `participant` was granted, unless another participant holds the same grant. */
function withoutGrant(tunnel: TunnelWithHost, participant: TunnelWithHost["participants"][number]): string[] {
  const sources = JSON.parse(tunnel.allowedSources) as string[];
  const shared = tunnel.participants.some((p) => p.userId !== participant.userId && p.granted && p.source === participant.source);
  return participant.granted && !shared ? sources.filter((range) => range !== participant.source) : sources;
}

/** Takes a participant out: their grant leaves the allowed sources, cutting their open connections. */
export async function dropParticipant(ctx: Ctx, tunnel: TunnelWithHost, userId: string, why: string) {
  const participant = tunnel.participants.find((p) => p.userId === userId);
  if (!participant) throw new ApiError({ code: "not_found", message: `${userId} has not joined this tunnel` });
  await getPrisma().tunnelParticipant.delete({ where: { tunnelId_userId: { tunnelId: tunnel.id, userId } } });
  await saveSources(tunnel, withoutGrant(tunnel, participant), userId);
  await recordAudit(ctx, {
    action: "tunnel.participant_removed",
    hostId: tunnel.hostId,
    tunnelId: tunnel.id,
    subjectId: userId,
    details: { email: participant.user.email, source: participant.source, why },
  });
}

/** The owner or an admin removes someone; anyone may leave. */
export async function removeParticipant({ ctx, input }: { ctx: Ctx; input: { id: string; userId: string } }) {
  const tunnel = await findVisible(ctx, input.id);
  const self = actorId(ctx) === input.userId;
  if (!self) assertOwnerOrAdmin(ctx, tunnel, "remove someone from it");
  await dropParticipant(ctx, tunnel, input.userId, self ? "left" : `removed by ${actorName(ctx)}`);
  return getTunnel({ ctx, input: { id: tunnel.id } });
}
