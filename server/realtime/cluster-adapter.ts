// Live events reach every browser, whichever node its socket landed on:
// socket.io's PostgreSQL adapter relays each broadcast through NOTIFY (large
// ones through the socket_io_attachments table, made by a migration). Its
// pool gets `error` listeners, on the pool and on each connection (its LISTEN
// connection's error would otherwise end the process when PostgreSQL
// restarts). Broadcasts sent while it reconnects are lost: browsers reload
// what they show when their own socket reconnects, and the engine's counters
// come again every second.
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";

const report = (error: Error) => log().error(`the live-update relay between nodes failed (${error.message}); reconnecting`);

/** The adapter for several nodes on PostgreSQL, and its pool to end; none on SQLite (one node). */
export function clusterAdapter(): { adapter: ReturnType<typeof createAdapter>; pool: pg.Pool } | undefined {
  const { database } = getConfig();
  if (database.provider !== "postgresql") return undefined;
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  pool.on("error", report);
  pool.on("connect", (client) => client.on("error", report));
  return { adapter: createAdapter(pool, { errorHandler: report }), pool };
}
