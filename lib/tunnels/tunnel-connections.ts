// A tunnel's connections: the ones open now, as the engine carrying it sees
// them, and the recent closed ones from their records; and cutting one open
// connection, for its owner and admins. Only the node carrying a tunnel
// knows its open connections: other nodes relay these requests to it
// (server/nodes/relay-connection-requests.ts), and answer 409 naming it while
// it cannot be reached as the carrier (a tunnel moving between nodes).
import { ApiError } from "@/lib/api/api-error";
import { recordAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { actorName, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { findEngine, type OpenConnection } from "@/lib/tunnels/engine-port";
import { assertOwnerOrAdmin, type ConnectionDto, findVisible, toConnectionDto } from "@/lib/tunnels/tunnels";
import { isOpen } from "@/lib/tunnels/tunnel-status";
import type { ListConnectionsQuery, OptionalReason } from "@/lib/validation/tunnels";

/** Closed connections listed after the open ones. */
const RECENT_CLOSED = 50;

type Tunnel = Awaited<ReturnType<typeof findVisible>>;

const openDto = (c: OpenConnection): ConnectionDto => ({ ...c, openedAt: c.openedAt.toISOString(), closedAt: null, error: null });

/** Another node carries the tunnel: only it knows its open connections. */
function assertCarriedHere(tunnel: Tunnel) {
  const carrier = tunnel.nodeName;
  if (!isOpen(tunnel.status) || !carrier || carrier === getConfig().node.name || findEngine()?.live(tunnel.id)) return;
  throw new ApiError({
    code: "conflict",
    message: `tunnel ${tunnel.name ?? tunnel.id} was carried by Warren node ${carrier}, which alone knows its open connections and cannot be asked now (the tunnel may be moving to another node): try again in a moment`,
  });
}

/** The connections open now through a tunnel carried here (none while it is not open). */
async function openConnections(tunnel: Tunnel): Promise<OpenConnection[]> {
  if (!isOpen(tunnel.status)) return [];
  assertCarriedHere(tunnel);
  return (await findEngine()?.connections(tunnel.id)) ?? [];
}

export async function listTunnelConnections({ ctx, input }: { ctx: Ctx; input: { id: string } & ListConnectionsQuery }) {
  const tunnel = await findVisible(ctx, input.id);
  const open = (await openConnections(tunnel)).map(openDto);
  if (input.state === "open") return { connections: open };
  const closed = await getPrisma().tunnelConnection.findMany({ where: { tunnelId: tunnel.id }, orderBy: { openedAt: "desc" }, take: RECENT_CLOSED });
  const recorded = new Set(closed.map((c) => c.id));
  return {
    connections: [
      // One that closed between the two looks is listed once, closed.
      ...open.filter((c) => !recorded.has(c.id)),
      ...closed.map(toConnectionDto),
    ],
  };
}

/** Cuts one open connection: its record says who closed it (and why, if they said), and the audit trail has it. */
export async function killConnection({ ctx, input }: { ctx: Ctx; input: { id: string; connectionId: string } & OptionalReason }) {
  const tunnel = await findVisible(ctx, input.id);
  assertOwnerOrAdmin(ctx, tunnel, "close its connections");
  const gone = new ApiError({ code: "not_found", message: `no open connection with id ${input.connectionId} on tunnel ${tunnel.name ?? tunnel.id}` });
  if (!isOpen(tunnel.status)) throw gone;
  assertCarriedHere(tunnel);
  const reason = `closed by ${actorName(ctx)}${input.reason ? `: ${input.reason}` : ""}`;
  const killed = await findEngine()?.killConnection(tunnel.id, input.connectionId, reason);
  if (!killed) throw gone;
  const { id, source, destination, bytesIn, bytesOut } = killed;
  await recordAudit(ctx, {
    action: "connection.killed",
    hostId: tunnel.hostId,
    tunnelId: tunnel.id,
    details: { connectionId: id, source, destination, bytesIn, bytesOut, reason: input.reason ?? null },
  });
  return { connection: { ...openDto(killed), closedAt: new Date().toISOString(), error: reason } };
}
