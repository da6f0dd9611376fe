// This node hears at once of changes other nodes make to the tunnels it
// carries (lib/tunnels/announce-tunnel-change.ts): a LISTEN on a connection
// of its own, outside the pool, reconnected when PostgreSQL restarts. On
// each (re)connection it reconciles all its tunnels, for what it missed.
import { messageOf } from "@/lib/describe-failure";
import pg from "pg";
import { getConfig } from "@/lib/config";
import { TUNNEL_CHANNEL } from "@/lib/tunnels/announce-tunnel-change";
import type { Feature } from "@/server/feature";
import type { TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { log } from "@/lib/log";

const RETRY_MS = 2_000;

export function registerTunnelNotifications(engine: TunnelEngine): Feature {
  const { database } = getConfig();
  if (database.provider !== "postgresql") return { name: "tunnel notifications", stop: async () => {} };
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const reconcile = (ids?: string[]) =>
    void engine.reconcile(ids).catch((error: unknown) => log().error(`reconciling tunnels with the database failed: ${messageOf(error)}`));

  const again = () => {
    if (!stopped) retry = setTimeout(() => void listen(), RETRY_MS).unref();
  };
  const listen = async () => {
    const next = new pg.Client({ connectionString: database.url });
    // Without a listener, a PostgreSQL restart's `error` would end the process.
    next.on("error", (error) => log().error(`the tunnel notification connection failed (${error.message}); reconnecting`));
    next.on("end", () => {
      if (client !== next) return; // a failed connect retries below
      client = undefined;
      again();
    });
    next.on("notification", (message) => {
      if (message.channel === TUNNEL_CHANNEL && message.payload) reconcile([message.payload]);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${TUNNEL_CHANNEL}`);
      client = next;
      reconcile();
    } catch {
      await next.end().catch(() => {});
      again();
    }
  };
  void listen();
  return {
    name: "tunnel notifications",
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
