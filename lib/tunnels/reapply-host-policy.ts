// A host's new policy applied to the tunnels it already carries: what it no
// longer allows closes (or, still waiting for approval, is denied) with the
// reason its owner sees; what it still allows runs on under the new policy,
// its expiry brought within the new maximum.
import { announceTunnelChange } from "@/lib/tunnels/announce-tunnel-change";
import { recordAudit } from "@/lib/audit/audit-log";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Tunnel } from "@/lib/generated/prisma/client";
import { tunnelRooms } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { closeOpenTunnel, endRequest } from "@/lib/tunnels/end-tunnel";
import { getEngine } from "@/lib/tunnels/engine-port";
import { hostPolicy, policyRefusal, storedSourcesRefusal } from "@/lib/tunnels/host-policy";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { RESERVING_STATUSES, isOpen } from "@/lib/tunnels/tunnel-status";
import type { HostPolicy } from "@/lib/validation/host-policy";

type Policed = Tunnel & { owner: { role: string } };

/** Why the policy no longer allows a tunnel it once granted, or null. */
export function grantedTunnelRefusal(tunnel: Policed, policy: HostPolicy, hostName: string) {
  const request = tunnelSpec(tunnel);
  return policyRefusal(request, policy, hostName) ?? storedSourcesRefusal(request, policy, hostName, tunnel.owner.role === "admin");
}

export async function reapplyHostPolicy(ctx: Ctx, hostId: string) {
  const prisma = getPrisma();
  const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
  const policy = hostPolicy(host);
  const tunnels = await prisma.tunnel.findMany({ where: { hostId, status: { in: RESERVING_STATUSES } }, include: { owner: { select: { role: true } } } });
  const noLonger = (why: string) => `${host.name}'s policy no longer allows it: ${why}`;
  for (const tunnel of tunnels) {
    const refusal = grantedTunnelRefusal(tunnel, policy, host.name);
    if (refusal) {
      await endTunnel(ctx, tunnel, noLonger(refusal.message));
      continue;
    }
    await capTtl(ctx, tunnel, policy);
    if (!isOpen(tunnel.status)) continue;
    const running = await getEngine().reconfigure(tunnel.id, { policy });
    await announceTunnelChange(tunnel.id);
    if (running) await endTunnel(ctx, tunnel, noLonger(running));
  }
}

async function endTunnel(ctx: Ctx, tunnel: Tunnel, why: string) {
  if (isOpen(tunnel.status)) await closeOpenTunnel(ctx, tunnel.id, { to: "closed", reason: `closed: ${why}` });
  else await endRequest(ctx, tunnel, { to: "denied", reason: `denied: ${why}` });
}

/** An expiry (or a TTL or extension still waiting for approval) beyond the new maximum is brought within it. */
async function capTtl(ctx: Ctx, tunnel: Tunnel, policy: HostPolicy) {
  const max = policy.maxTtlMinutes;
  const latest = new Date(Date.now() + max * 60_000);
  const data = {
    ...(isOpen(tunnel.status) && tunnel.expiresAt > latest ? { expiresAt: latest } : {}),
    ...(tunnel.ttlMinutes > max ? { ttlMinutes: max } : {}),
    ...(tunnel.extensionMinutes && tunnel.extensionMinutes > max ? { extensionMinutes: max } : {}),
  };
  if (Object.keys(data).length === 0) return;
  const details = { maxTtlMinutes: max, ...(data.expiresAt ? { from: tunnel.expiresAt.toISOString(), to: latest.toISOString() } : {}) };
  await recordAudit(ctx, { action: "tunnel.expiry_shortened", hostId: tunnel.hostId, tunnelId: tunnel.id, details }, (tx) =>
    tx.tunnel.update({ where: { id: tunnel.id }, data }),
  );
  if (data.expiresAt) getEngine().extend(tunnel.id, latest);
  publish(tunnelRooms(tunnel), "tunnel:changed", { tunnelId: tunnel.id });
}
