import { setEngine } from "@/lib/tunnels/engine-port";
import type { Feature } from "@/server/feature";
import { TunnelEngine } from "@/server/tunnels/tunnel-engine";

/** Starts the engine, makes it reachable from route handlers, and reopens
 *  what should be open. Reopening runs in the background so the web UI is up
 *  at once; each tunnel reports its own progress. */
export function registerEngine(): Feature & { engine: TunnelEngine } {
  const engine = new TunnelEngine();
  setEngine(engine);
  engine.start().catch((error: unknown) => console.error("warren: reopening tunnels failed:", error));
  return {
    name: "tunnel engine",
    engine,
    async stop() {
      setEngine(undefined);
      await engine.stop();
    },
  };
}
