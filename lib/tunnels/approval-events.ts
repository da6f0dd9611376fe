// Telling the people concerned about requests, live and by notification:
// approvers when one arrives, approvers and the requester when it is settled.
import { getPrisma } from "@/lib/db/prisma";
import { ADMIN_ROOM, userRoom, type RequestResolvedEvent } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { approverIds } from "@/lib/teams/team-access";
import { noticeRequestResolved, noticeRequestWaiting } from "@/lib/notifications/tunnel-notices";

type Request = {
  id: string;
  ownerId: string;
  hostId: string;
  ttlMinutes: number;
  pendingUntil: Date | null;
  extensionMinutes: number | null;
  extensionUntil: Date | null;
};

async function approverRooms(tunnel: { ownerId: string; hostId: string }) {
  return [ADMIN_ROOM, ...(await approverIds(tunnel)).map(userRoom)];
}

export async function notifyApprovers(tunnel: Request, type: "tunnel" | "extension") {
  const [owner, host] = await Promise.all([
    getPrisma().user.findUniqueOrThrow({ where: { id: tunnel.ownerId }, select: { email: true } }),
    getPrisma().host.findUniqueOrThrow({ where: { id: tunnel.hostId }, select: { name: true } }),
  ]);
  const [minutes, until] = type === "tunnel" ? [tunnel.ttlMinutes, tunnel.pendingUntil] : [tunnel.extensionMinutes, tunnel.extensionUntil];
  publish(await approverRooms(tunnel), "request:new", {
    tunnelId: tunnel.id,
    type,
    requesterEmail: owner.email,
    hostName: host.name,
    minutes: minutes ?? 0,
    until: (until ?? new Date()).toISOString(),
  });
  await noticeRequestWaiting(tunnel.id, type);
}

export async function resolveRequest(
  tunnel: { id: string; ownerId: string; hostId: string },
  type: RequestResolvedEvent["type"],
  outcome: RequestResolvedEvent["outcome"],
  reason: string | null,
) {
  publish([...(await approverRooms(tunnel)), userRoom(tunnel.ownerId)], "request:resolved", { tunnelId: tunnel.id, type, outcome, reason });
  await noticeRequestResolved(tunnel.id, type, outcome, reason);
}
