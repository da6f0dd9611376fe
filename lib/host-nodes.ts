// The Warren nodes sharing the database, and hosts pinned to some of them: a
// host in one network is reachable only from the bastions in it, so only
// those nodes open, and take over, its tunnels. An empty list lets any node
// carry them.
import { ApiError } from "@/lib/api/api-error";
import { requireAdmin } from "@/lib/auth/require-admin";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";

/** How long after its last heartbeat a node counts as running (a few missed beats). */
export const NODE_ALIVE_MS = 20_000;

/** The node names a host's `nodes` column lists. */
export const hostNodes = (stored: string): string[] => JSON.parse(stored) as string[];

/** Whether `node` may carry the tunnels of a host whose `nodes` column is `stored`. */
export function carriesHost(stored: string, node: string): boolean {
  const nodes = hostNodes(stored);
  return nodes.length === 0 || nodes.includes(node);
}

/** Whether a registered node runs: not stopped, and its heartbeat recent. */
export const nodeRunning = (node: { stoppedAt: Date | null; heartbeatAt: Date }, now = Date.now()) =>
  !node.stoppedAt && node.heartbeatAt.getTime() >= now - NODE_ALIVE_MS;

/** nodeRunning, as a query filter. */
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
  if (!known.some((node) => nodes.includes(node.name) && nodeRunning(node))) {
    throw new ApiError({
      code: "unprocessable_entity",
      field: "nodes",
      message: `none of ${nodes.join(", ")} is running now: the host's tunnels would have no node`,
    });
  }
}

/** Where a tunnel through a host pinned to other nodes may listen: where those of them that run may bind.
 *  Refused at once when none runs (the request would wait for no one). */
export async function pinnedListenAddresses(host: { name: string; nodes: string }): Promise<string[]> {
  const nodes = hostNodes(host.nodes);
  const running = await getPrisma().node.findMany({ where: { name: { in: nodes }, ...runningWhere() }, select: { listenAddresses: true } });
  if (running.length === 0) {
    throw new ApiError({
      code: "unavailable",
      field: "hostId",
      message: `${host.name}'s tunnels are carried by Warren node${nodes.length === 1 ? "" : "s"} ${nodes.join(", ")} only, and none of them is running`,
    });
  }
  return [...new Set(running.flatMap((node) => JSON.parse(node.listenAddresses) as string[]))];
}

/** Every node that ever registered: where its listeners are, whether it runs, and how many open tunnels it carries. */
export async function listNodes({ ctx }: { ctx: Ctx }) {
  requireAdmin(ctx, "list Warren's nodes");
  return nodeList();
}

/** The nodes for pages that pin hosts or name carriers (the page checks who may see them). */
export async function nodeList() {
  const nodes = await getPrisma().node.findMany({
    orderBy: { name: "asc" },
    include: { _count: { select: { tunnels: { where: { status: { in: OPEN_STATUSES } } } } } },
  });
  return nodes.map(({ _count, ...node }) => ({
    name: node.name,
    address: node.address,
    url: node.url,
    startedAt: node.startedAt.toISOString(),
    heartbeatAt: node.heartbeatAt.toISOString(),
    stoppedAt: node.stoppedAt?.toISOString() ?? null,
    running: nodeRunning(node),
    openTunnels: _count.tunnels,
  }));
}

export type NodeDto = Awaited<ReturnType<typeof nodeList>>[number];

/** Whether more than one node ever shared this database: only then do pages name nodes. */
export async function severalNodes(): Promise<boolean> {
  return (await getPrisma().node.count()) > 1;
}
