// Ending a tunnel that is open (the engine stops it first) or a request that
// waits for approval (its approvers and requester are told the outcome).
import type { Ctx } from "@/lib/context";
import type { RequestResolvedEvent } from "@/lib/realtime/events";
import { resolveRequest } from "@/lib/tunnels/approval-events";
import { getEngine } from "@/lib/tunnels/engine-port";
import { setTunnelStatus } from "@/lib/tunnels/set-tunnel-status";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";

/** Stops an open tunnel and records how it ended with its final counters; false if it was no longer open. */
export async function closeOpenTunnel(ctx: Ctx, tunnelId: string, { to, reason }: { to: "closed" | "expired"; reason: string }) {
  const counters = await getEngine().close(tunnelId);
  return setTunnelStatus(ctx, { tunnelId, from: OPEN_STATUSES, to, reason, counters });
}

const outcomes = { closed: "withdrawn", denied: "denied", expired: "expired" } as const satisfies Record<string, RequestResolvedEvent["outcome"]>;

/** Ends a request still waiting for approval; false if it no longer waited (decided or ended meanwhile). */
export async function endRequest(
  ctx: Ctx,
  tunnel: { id: string; ownerId: string; hostId: string },
  { to, reason }: { to: keyof typeof outcomes; reason: string },
) {
  if (!(await setTunnelStatus(ctx, { tunnelId: tunnel.id, from: "pending_approval", to, reason }))) return false;
  await resolveRequest(tunnel, "tunnel", outcomes[to], reason);
  return true;
}
