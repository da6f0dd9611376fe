// A change to a tunnel another node may carry (its status, expiry, sources,
// team, host policy), told to every node at once through PostgreSQL's
// LISTEN/NOTIFY: the node carrying it reconciles it with its row
// (server/nodes/tunnel-notifications.ts). Each node also reconciles its
// tunnels on its own timer, so a notification lost only delays. SQLite has
// one node, whose engine the change already reached.
import { databaseProvider, getPrisma } from "@/lib/db/prisma";
import { log } from "@/lib/log";

export const TUNNEL_CHANNEL = "warren_tunnel";

export async function announceTunnelChange(tunnelId: string): Promise<void> {
  if (databaseProvider() !== "postgresql") return;
  await getPrisma().$executeRaw`SELECT pg_notify(${TUNNEL_CHANNEL}, ${tunnelId})`.catch((error: unknown) =>
    log().error(`telling the other nodes of tunnel ${tunnelId}'s change failed (their timers catch up): ${(error as Error).message}`),
  );
}
