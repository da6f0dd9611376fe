// This node in the database's list of nodes: registered at start, its
// heartbeat renewed while it runs, marked stopped by a clean stop. The other
// nodes read the heartbeat to tell a dead node from a live one.
import { messageOf } from "@/lib/describe-failure";
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import type { Feature } from "@/server/feature";
import { log } from "@/lib/log";

export const HEARTBEAT_MS = 5_000;

/** Registers this node (its name taken over if it ran before) and keeps its heartbeat. */
export async function registerNode(): Promise<Feature> {
  const { node, listenAddresses: addresses } = getConfig();
  const { name, address, url } = node;
  const listenAddresses = JSON.stringify(addresses);
  const prisma = getPrisma();
  const now = new Date();
  await prisma.node.upsert({
    where: { name },
    create: { name, address, url, listenAddresses, startedAt: now, heartbeatAt: now },
    update: { address, url, listenAddresses, startedAt: now, heartbeatAt: now, stoppedAt: null },
  });
  let failing = false;
  const beat = async () => {
    try {
      await prisma.node.update({ where: { name }, data: { heartbeatAt: new Date() } });
      if (failing) log().info(`node ${name}'s heartbeat reaches the database again`);
      failing = false;
    } catch (error) {
      if (!failing) log().error(`node ${name}'s heartbeat failed (${messageOf(error)}); retrying every ${HEARTBEAT_MS / 1000} s`);
      failing = true;
    }
  };
  const timer = setInterval(() => void beat(), HEARTBEAT_MS).unref();
  return {
    name: "node registry",
    async stop() {
      clearInterval(timer);
      await prisma.node.update({ where: { name }, data: { stoppedAt: new Date() } }).catch(() => {});
    },
  };
}
