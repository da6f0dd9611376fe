import { setEngine } from "@/lib/tunnels/engine-port";
import type { Feature } from "@/server/feature";
import { TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { log } from "@/lib/log";

/** Makes the engine reachable from route handlers at once; `reopen` reopens
 *  what should be open, in the background so the web UI is up at once (each
 *  tunnel reports its own progress). */
export function registerEngine(): Feature & { engine: TunnelEngine; reopen(): void } {
  const engine = new TunnelEngine();
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
