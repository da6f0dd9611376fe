import { setEngine } from "@/lib/tunnels/engine-port";
import type { Feature } from "@/server/feature";
import { TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { log } from "@/lib/log";

/** Makes the engine reachable from route handlers at once, once it has
 *  marked what it will reopen; `reopen` reopens those in the background, so
 *  the web UI is up at once (each tunnel reports its own progress). */
export async function registerEngine(): Promise<Feature & { engine: TunnelEngine; reopen(): void }> {
  const engine = new TunnelEngine();
  await engine.recover();
  setEngine(engine);
  return {
    name: "tunnel engine",
    engine,
    reopen: () => void engine.start().catch((error: unknown) => log().error({ err: error }, "reopening tunnels failed")),
    async stop() {
      setEngine(undefined);
      await engine.stop();
    },
  };
}
