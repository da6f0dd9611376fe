// A host whose key changed fails every tunnel through it, each with the key's
// reason. Once an admin trusts the new key, those still within their time
// open again, as their owners would expect, each with why in its history.
import { actorName, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { getEngine } from "@/lib/tunnels/engine-port";
import { setTunnelStatus } from "@/lib/tunnels/set-tunnel-status";

export async function reopenAfterKeyTrusted(ctx: Ctx, host: { id: string; name: string }) {
  const failed = await getPrisma().tunnel.findMany({
    where: { hostId: host.id, status: "failed", expiresAt: { gt: new Date() }, statusReason: { contains: "host key" } },
    select: { id: true },
  });
  const reason = `${host.name}'s new host key was trusted by ${actorName(ctx)}: opening again`;
  for (const { id } of failed) {
    const moved = await setTunnelStatus(ctx, { tunnelId: id, from: "failed", to: "starting", reason, data: { closedAt: null } });
    // A failure to open is the engine's to record, with its reason.
    if (moved) await getEngine().openApproved(id);
  }
}
