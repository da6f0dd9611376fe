import { TIMED_SWEEPS } from "@/lib/tunnels/sweeps";
import type { Feature } from "@/server/feature";
import { log } from "@/lib/log";

const EVERY_MS = 5_000;

async function sweepOnce() {
  for (const { what, run } of TIMED_SWEEPS) {
    await run().catch((error: unknown) => log().error({ err: error }, `${what} failed`));
  }
}

/** Runs lib's timed sweeps (lib/tunnels/sweeps.ts) at once, then every five
 *  seconds, a round at a time (a slow one is not queued behind). `swept`: the
 *  first round is done; Warren reopens tunnels after it, so nothing a user
 *  disabled while it was stopped left behind is reopened. */
export function registerSweeps(): Feature & { swept: Promise<void> } {
  let current: Promise<void> | undefined;
  const round = () => (current ??= sweepOnce().finally(() => (current = undefined)));
  const swept = round();
  const timer = setInterval(round, EVERY_MS).unref();
  return {
    name: "sweeps",
    swept,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
