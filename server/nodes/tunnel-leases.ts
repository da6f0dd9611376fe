// A tunnel is carried by one node, the one that opened it, which holds a
// lease on it in the database: claimed by compare-and-set, renewed every few
// seconds. A node that cannot renew for a whole lease closes its listeners
// (never two owners); another node takes a tunnel over only once its lease
// has run out, and moves it there: a listener on the old node's address
// listens on the new node's. A node that stops cleanly, or may no longer
// carry a tunnel (its host was pinned to other nodes), ends its lease at once.
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import { nodeRunning } from "@/lib/host-nodes";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";

export const LEASE_MS = 20_000;
export const LEASE_RENEW_MS = 5_000;

const until = () => new Date(Date.now() + LEASE_MS);

/** Takes the tunnel for this node if nobody holds it, this node does, or its lease ran out; answers whether it did. */
export async function claimTunnel(tunnelId: string): Promise<boolean> {
  const me = getConfig().node.name;
  const { count } = await getPrisma().tunnel.updateMany({
    where: { id: tunnelId, OR: [{ nodeName: null }, { nodeName: me }, { leaseUntil: { lt: new Date() } }] },
    data: { nodeName: me, leaseUntil: until() },
  });
  return count === 1;
}

/** Renews this node's leases on the tunnels it carries (none taken from another node meanwhile). */
export async function renewLeases(tunnelIds: string[]): Promise<void> {
  if (tunnelIds.length === 0) return;
  await getPrisma().tunnel.updateMany({ where: { id: { in: tunnelIds }, nodeName: getConfig().node.name }, data: { leaseUntil: until() } });
}

/** Ends this node's leases on these tunnels now: another node may take them over without waiting.
 *  `stopping`: this node stops, which it records first, so that they say why they moved. */
export async function releaseLeases(tunnelIds: string[], { stopping = false } = {}): Promise<void> {
  if (tunnelIds.length === 0) return;
  if (stopping) await getPrisma().node.updateMany({ where: { name: getConfig().node.name }, data: { stoppedAt: new Date() } });
  await getPrisma().tunnel.updateMany({ where: { id: { in: tunnelIds }, nodeName: getConfig().node.name }, data: { leaseUntil: new Date(0) } });
}

/** Another node's tunnel whose lease ran out: that node stopped, went silent (it died, or lost the database),
 *  or, still running, handed it over. `host`: its host's name and pinned nodes. */
export type Orphan = {
  id: string;
  nodeName: string;
  nodeAddress: string;
  listenAddress: string | null;
  nodeState: "stopped" | "silent" | "running";
  host: { name: string; nodes: string };
};

export async function orphanedTunnels(): Promise<Orphan[]> {
  const rows = await getPrisma().tunnel.findMany({
    where: { status: { in: OPEN_STATUSES }, nodeName: { not: getConfig().node.name }, leaseUntil: { lt: new Date() } },
    select: {
      id: true,
      listenAddress: true,
      host: { select: { name: true, nodes: true } },
      node: { select: { name: true, address: true, heartbeatAt: true, stoppedAt: true } },
    },
  });
  return rows.flatMap(({ node, ...row }) =>
    node
      ? [
          {
            ...row,
            nodeName: node.name,
            nodeAddress: node.address,
            nodeState: node.stoppedAt ? "stopped" : nodeRunning(node) ? "running" : "silent",
          },
        ]
      : [],
  );
}

/** Open tunnels no node has claimed yet: requested through a node that may not carry their host's tunnels. */
export function unclaimedTunnels(): Promise<{ id: string; host: { nodes: string } }[]> {
  return getPrisma().tunnel.findMany({
    where: { status: { in: OPEN_STATUSES }, nodeName: null },
    select: { id: true, host: { select: { nodes: true } } },
  });
}

const LOOPBACK = /^(127\.|::1$)/;

/** Where the tunnel listens on this node: loopback stays loopback, the old node's own address becomes this node's, any other stays as it was. */
export function movedListenAddress(orphan: Pick<Orphan, "listenAddress" | "nodeAddress">, myAddress: string): string | null {
  if (orphan.listenAddress === null || LOOPBACK.test(orphan.listenAddress)) return orphan.listenAddress;
  return orphan.listenAddress === orphan.nodeAddress ? myAddress : orphan.listenAddress;
}

/** Takes the orphan over by compare-and-set (its old node, its lease still run out); answers where it now
 *  listens, or undefined when another node took it first. */
export async function takeOver(orphan: Orphan): Promise<{ listenAddress: string | null } | undefined> {
  const { name, address } = getConfig().node;
  const listenAddress = movedListenAddress(orphan, address);
  const { count } = await getPrisma().tunnel.updateMany({
    where: { id: orphan.id, nodeName: orphan.nodeName, leaseUntil: { lt: new Date() } },
    // `starting` with the move: it is never shown active on this node before it opens here.
    data: { nodeName: name, leaseUntil: until(), listenAddress, status: "starting" },
  });
  return count === 1 ? { listenAddress } : undefined;
}
