// Reopening an ended tunnel: a new request with the same spec, through
// createTunnel, so the host's policy, the limits, approval and the audit apply
// exactly as to any new request. The old tunnel stays as it ended.
import { ApiError } from "@/lib/api/api-error";
import { actorId, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { ownerSources } from "@/lib/tunnels/tunnel-sharing";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { ENDED_STATUSES, isEnded } from "@/lib/tunnels/tunnel-status";
import { appHostHolder, createTunnel, findVisible, nameHolder, type TunnelWithHost } from "@/lib/tunnels/tunnels";
import { createTunnelSchema, type CreateTunnel } from "@/lib/validation/tunnels";

/** Its name, unless another tunnel in play holds it (or, for a web tunnel, its app host): then the new one goes unnamed. */
async function freeName(tunnel: TunnelWithHost): Promise<string | undefined> {
  const { name } = tunnel;
  if (!name || (await nameHolder(getPrisma(), tunnel.ownerId, name))) return undefined;
  if (tunnel.webScheme && (await appHostHolder(getPrisma(), name))) return undefined;
  return name;
}

/** The request that made `tunnel`, as far as it is stored: teammates' joined addresses are theirs, not part of it. */
async function requestOf(tunnel: TunnelWithHost): Promise<CreateTunnel> {
  const { kind, listen, target } = tunnelSpec(tunnel);
  return createTunnelSchema.parse({
    kind,
    hostId: tunnel.hostId,
    name: await freeName(tunnel),
    listen,
    target: target ?? undefined,
    ttlMinutes: tunnel.ttlMinutes,
    idleMinutes: tunnel.idleMinutes ?? undefined,
    allowedSources: listen ? ownerSources(tunnel) : undefined,
    teamId: tunnel.teamId,
    web: tunnel.webScheme ? { scheme: tunnel.webScheme, hostHeader: tunnel.webHostHeader ?? undefined, insecureTls: tunnel.webInsecureTls } : null,
    // Asked for the same reason: approvers read it again.
    reason: tunnel.requestReason ?? undefined,
  });
}

/** A new tunnel like an ended one, for its owner only: the new tunnel is theirs,
 *  so nobody else (an admin included) asks for it in their name. */
export async function reopenTunnel({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const tunnel = await findVisible(ctx, input.id);
  if (tunnel.ownerId !== actorId(ctx)) throw new ApiError({ code: "forbidden", message: "only the tunnel's owner can reopen it" });
  if (!isEnded(tunnel.status)) {
    throw new ApiError({ code: "conflict", message: `the tunnel is ${tunnel.status}: only ended ones (${ENDED_STATUSES.join(", ")}) can be reopened` });
  }
  return createTunnel({ ctx, input: await requestOf(tunnel), reopenedFrom: tunnel.id });
}
