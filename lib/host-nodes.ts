// Hosts pinned to Warren nodes: a host in one network is reachable only from
// the bastions in it, so only those nodes open, and take over, its tunnels.
// An empty list lets any node carry them.
import { ApiError } from "@/lib/api/api-error";
import { getPrisma } from "@/lib/db/prisma";

/** How long after its last heartbeat a node counts as running (a few missed beats). */
export const NODE_ALIVE_MS = 20_000;

/** The node names a host's `nodes` column lists. */
export const hostNodes = (stored: string): string[] => JSON.parse(stored) as string[];

/** Whether `node` may carry the tunnels of a host whose `nodes` column is `stored`. */
export function carriesHost(stored: string, node: string): boolean {
  const nodes = hostNodes(stored);
  return nodes.length === 0 || nodes.includes(node);
}

const runningWhere = () => ({ stoppedAt: null, heartbeatAt: { gte: new Date(Date.now() - NODE_ALIVE_MS) } });

/** Pins must name nodes that registered, one of them running: a misspelt or stopped one would leave the host's tunnels to no one. */
export async function assertNodesToPin(nodes: string[]) {
  if (nodes.length === 0) return;
  const known = await getPrisma().node.findMany({ select: { name: true, stoppedAt: true, heartbeatAt: true }, orderBy: { name: "asc" } });
  const names = known.map((node) => node.name);
  const unknown = nodes.find((name) => !names.includes(name));
  if (unknown) {
    throw new ApiError({ code: "unprocessable_entity", field: "nodes", message: `${unknown} is not a Warren node; the nodes are ${names.join(", ")}` });
  }
  const running = await getPrisma().node.count({ where: { name: { in: nodes }, ...runningWhere() } });
  if (running === 0) {
    throw new ApiError({
      code: "unprocessable_entity",
      field: "nodes",
      message: `none of ${nodes.join(", ")} is running now: the host's tunnels would have no node`,
    });
  }
}

/** A request for a tunnel through a host pinned to other nodes waits for one of them: refused at once when none runs. */
export async function assertCarrierRunning(host: { name: string; nodes: string }) {
  const nodes = hostNodes(host.nodes);
  if (nodes.length === 0) return;
  const running = await getPrisma().node.count({ where: { name: { in: nodes }, ...runningWhere() } });
  if (running === 0) {
    throw new ApiError({
      code: "unavailable",
      field: "hostId",
      message: `${host.name}'s tunnels are carried by Warren node${nodes.length === 1 ? "" : "s"} ${nodes.join(", ")} only, and none of them is running`,
    });
  }
}
