import type { Server } from "node:http";
import { disconnectPrisma } from "@/lib/db/prisma";
import type { Feature } from "@/server/feature";
import { log } from "@/lib/log";

const FORCE_CLOSE_MS = 5_000;
const HARD_EXIT_MS = 9_000;

/** On SIGTERM/SIGINT: stop accepting, stop features newest first, close the
 *  database, exit 0; connections still open after 5 s are cut, and the
 *  process leaves by 9 s whatever hangs. */
export function drainOnSignals(server: Server, features: Feature[]) {
  let draining = false;
  const drain = async (signal: string) => {
    if (draining) return;
    draining = true;
    log().info(`${signal} received, draining`);
    setTimeout(() => server.closeAllConnections(), FORCE_CLOSE_MS).unref();
    setTimeout(() => {
      log().error("drain timed out, exiting");
      process.exit(0);
    }, HARD_EXIT_MS).unref();
    server.close();
    server.closeIdleConnections();
    for (const feature of [...features].reverse()) {
      await feature.stop().catch((error: unknown) => log().error({ err: error }, `stopping ${feature.name} failed`));
    }
    server.closeAllConnections();
    await disconnectPrisma();
    process.exit(0);
  };
  process.on("SIGTERM", () => void drain("SIGTERM"));
  process.on("SIGINT", () => void drain("SIGINT"));
}
