// Who may carry a connection into a tunnel with `warren connect`, or open its
// web app in the browser: its owner, or a member of the team it is shared
// with who joined it (joining grants the person, not an address); the tunnel
// open, local (or dynamic, for connect; a web tunnel, for the browser), its
// target still allowed by the host's policy, the person's account enabled.
// Who may hold a remote tunnel's far end with `warren expose`: its owner
// alone, the tunnel open and made for it. Checked before a client upgrades or
// a browser session starts, and again for every live one
// (server/connect/connect-server.ts, server/apps/), many at a time in one
// round of queries.
import { ApiError } from "@/lib/api/api-error";
import { getPrisma } from "@/lib/db/prisma";
import { destinationRefusal, hostPolicy } from "@/lib/tunnels/host-policy";
import { isOpen } from "@/lib/tunnels/tunnel-status";

/** What a client's WebSocket is for: carrying connections into the tunnel, or holding its far end. */
export type SocketPurpose = "connect" | "expose";
/** A laptop's WebSocket, or a browser using the tunnel's web app. */
export type AccessPurpose = SocketPurpose | "web";
export type AccessPair = { tunnelId: string; userId: string; purpose: AccessPurpose };

const pairKey = ({ tunnelId, userId, purpose }: AccessPair) => `${tunnelId} ${userId} ${purpose}`;
const joinedKey = ({ tunnelId, userId }: Pick<AccessPair, "tunnelId" | "userId">) => `${tunnelId} ${userId}`;

/** For each pair: why that person may not use that tunnel now, or null when they may. */
export async function accessRefusals(pairs: AccessPair[]): Promise<Map<string, ApiError | null>> {
  const tunnelIds = [...new Set(pairs.map((pair) => pair.tunnelId))];
  const userIds = [...new Set(pairs.map((pair) => pair.userId))];
  const prisma = getPrisma();
  const [tunnels, joined, memberships, disabled] = await Promise.all([
    prisma.tunnel.findMany({ where: { id: { in: tunnelIds } }, include: { host: true } }),
    prisma.tunnelParticipant.findMany({ where: { tunnelId: { in: tunnelIds }, userId: { in: userIds } }, select: { tunnelId: true, userId: true } }),
    prisma.membership.findMany({ where: { userId: { in: userIds } }, select: { teamId: true, userId: true } }),
    prisma.user.findMany({ where: { id: { in: userIds }, disabled: true }, select: { id: true } }),
  ]);
  const disabledIds = new Set(disabled.map((user) => user.id));
  const byId = new Map(tunnels.map((tunnel) => [tunnel.id, tunnel]));
  const participants = new Set(joined.map(joinedKey));
  const members = new Set(memberships.map((m) => `${m.teamId} ${m.userId}`));
  const answer = new Map<string, ApiError | null>();
  for (const pair of pairs) {
    const tunnel = byId.get(pair.tunnelId);
    const owner = tunnel?.ownerId === pair.userId;
    const member = !!tunnel?.teamId && members.has(`${tunnel.teamId} ${pair.userId}`);
    let refusal: ApiError | null = null;
    if (disabledIds.has(pair.userId)) {
      refusal = new ApiError({ code: "forbidden", message: "your account is disabled" });
    } else if (!tunnel || (!owner && !member)) {
      refusal = new ApiError({ code: "not_found", message: `no tunnel ${pair.tunnelId} that you may use` });
    } else if (pair.purpose === "expose" && !owner) {
      refusal = new ApiError({ code: "forbidden", message: `only the owner of tunnel ${tunnel.id} may hold its far end with warren expose` });
    } else if (pair.purpose === "expose" && !tunnel.targetClient) {
      refusal = new ApiError({
        code: "conflict",
        message: `tunnel ${tunnel.id} leads to ${tunnel.targetHost}:${tunnel.targetPort}, not to your computer: request one with --to-client`,
      });
    } else if (!owner && !participants.has(joinedKey(pair))) {
      refusal = new ApiError({
        code: "forbidden",
        message: `tunnel ${tunnel.id} is shared with your team, but you have not joined it: join it first (it is for its owner and the members who joined)`,
      });
    } else if (pair.purpose === "web" && !tunnel.webScheme) {
      refusal = new ApiError({ code: "conflict", message: `tunnel ${tunnel.id} is not a web tunnel` });
    } else if (pair.purpose === "connect" && tunnel.kind === "remote") {
      refusal = new ApiError({ code: "conflict", message: `tunnel ${tunnel.id} is a remote tunnel: connect carries local and dynamic tunnels` });
    } else if (!isOpen(tunnel.status)) {
      refusal = new ApiError({
        code: "conflict",
        message: `tunnel ${tunnel.id} is ${tunnel.status.replace("_", " ")}${tunnel.statusReason ? ` (${tunnel.statusReason})` : ""}`,
      });
    } else if (tunnel.kind === "local") {
      const denied = destinationRefusal(hostPolicy(tunnel.host), tunnel.host.name, { host: tunnel.targetHost!, port: tunnel.targetPort! });
      if (denied) refusal = new ApiError({ code: "forbidden", message: `tunnel ${tunnel.id}'s target is no longer allowed: ${denied.message}` });
    }
    answer.set(pairKey(pair), refusal);
  }
  return answer;
}

export function refusalOf(refusals: Map<string, ApiError | null>, pair: AccessPair): ApiError | null {
  return refusals.get(pairKey(pair)) ?? null;
}
