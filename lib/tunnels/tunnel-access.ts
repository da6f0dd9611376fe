// A tunnel stops being shared with its team (its owner left it, or it was
// deleted): the team stops hearing of it. What else lost access goes in
// sweeps.ts (enforceAccess).
import { announceTunnelChange } from "@/lib/tunnels/announce-tunnel-change";
import { recheckLiveAccess } from "@/lib/tunnels/recheck-live-access";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { findEngine } from "@/lib/tunnels/engine-port";
import { tunnelRooms } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";

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
    await announceTunnelChange(tunnel.id);
    publish(tunnelRooms(tunnel), "tunnel:changed", { tunnelId: tunnel.id }); // the team, as it was, drops it
  }
  if (tunnels.length > 0) recheckLiveAccess();
}
