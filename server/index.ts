// Warren's one process: Next's request handler and socket.io on one HTTP
// server, plus each feature registered below. Drains on SIGTERM/SIGINT.
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import next from "next";
import { clientAddress } from "@/lib/auth/client-address";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-info";
import { prepareSetupCode } from "@/lib/auth/setup-code";
import { ConfigError, getConfig, type WarrenConfig } from "@/lib/config";
import { MigrationError, migrate } from "@/lib/db/migrate";
import { hasUsers } from "@/lib/users";
import type { Feature } from "@/server/feature";
import { registerApps } from "@/server/apps/register-apps";
import { registerAuditUpkeep } from "@/server/audit/register-audit-upkeep";
import { registerAuditStreaming } from "@/server/audit/audit-streaming";
import { registerConnect, tunnelSocketOf } from "@/server/connect/connect-server";
import { registerMetrics } from "@/server/metrics/register-metrics";
import { registerRealtime } from "@/server/realtime/socket-server";
import { checkClusterKeys } from "@/server/nodes/cluster-keys";
import { takeRelayHeader } from "@/server/nodes/node-relay";
import { relayConnectionRequests } from "@/server/nodes/relay-connection-requests";
import { registerNode } from "@/server/nodes/node-registry";
import { registerTunnelNotifications } from "@/server/nodes/tunnel-notifications";
import { registerNotifications } from "@/server/notifications/register-notifications";
import { registerSweeps } from "@/server/register-sweeps";
import { logRequests } from "@/server/request-log";
import { drainOnSignals } from "@/server/shutdown";
import { registerEngine } from "@/server/tunnels/register-engine";
import { captureConsole, log } from "@/lib/log";

/** Next answers a path that does not decode with a 500 of its own; say 400 first. */
function refuseUndecodablePath(req: IncomingMessage, res: ServerResponse): boolean {
  try {
    decodeURIComponent(new URL(req.url ?? "/", "http://warren").pathname);
    return false;
  } catch {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "bad_request", message: "the path is not valid percent-encoded UTF-8" } }));
    return true;
  }
}

/** A client that sends its request slowly (slow loris) is cut after 20 s
 *  (headers) or 60 s (body) rather than Node's 60 s and 5 min. They cover
 *  receiving a request only: long answers (the audit export, socket.io's
 *  long-polling) are not cut. Node counts from the connection's accept, so
 *  they stay well above what a busy event loop may delay an honest request. */
const HTTP_TIMEOUTS = { headersTimeout: 20_000, requestTimeout: 60_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };

/** Start-up failed: a log line, and the reason as one plain line on standard error for whoever started it. */
function fail(message: string): never {
  log().fatal(message);
  process.stderr.write(`warren: ${message}\n`);
  process.exit(1);
}

// Overwrites whatever a client sent under this name: only the socket knows
// who it is, or, when configured, a trusted reverse proxy in front, or
// another Warren node that relayed the request (server/nodes/node-relay.ts).
function stampClientIp(req: IncomingMessage, config: Pick<WarrenConfig, "trustedProxyHeader" | "trustedProxies">) {
  const relayedFor = takeRelayHeader(req);
  const forwarded = config.trustedProxyHeader ? req.headersDistinct[config.trustedProxyHeader]?.join(",") : undefined;
  req.headers[CLIENT_IP_HEADER] = relayedFor ?? clientAddress(req.socket.remoteAddress ?? "", forwarded, config.trustedProxies);
}

/** Stamps every request and upgrade before any other listener sees it:
 *  socket.io's handshakes read the same address as Next's pages and API. */
function stampClientIps(server: Server, config: WarrenConfig) {
  server.prependListener("request", (req: IncomingMessage) => stampClientIp(req, config));
  server.prependListener("upgrade", (req: IncomingMessage) => stampClientIp(req, config));
}

async function main() {
  // Files Warren creates (database, secrets) are for its owner only.
  process.umask(0o077);
  captureConsole();
  const config = getConfig();
  const applied = await migrate(config.database);
  if (applied.length) log().info(`applied migrations ${applied.join(", ")}`);
  await checkClusterKeys(config);
  const node = await registerNode();
  if (!(await hasUsers())) {
    const where = prepareSetupCode(config);
    if (where) log().info(where);
  }
  process.env.NEXTAUTH_URL = config.publicUrl;
  // Warren runs on closed bastions: never phone home.
  process.env.NEXT_TELEMETRY_DISABLED = "1";

  const dev = !config.production;
  // Next adds an "upgrade" listener of its own to the server of the first
  // request it handles, and it ends every upgrade whose path is one of its
  // routes (all of /api/v1, so `warren connect`'s too, while that one is still
  // being authorised). Given a stand-in server, it adds none: upgrades are
  // routed below (socket.io, connect, and Next's own in development).
  const upgradesRoutedHere = new EventEmitter() as unknown as Server;
  const app = next({ dev, dir: path.resolve(import.meta.dirname, ".."), hostname: config.host, port: config.port, httpServer: upgradesRoutedHere });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = createServer(HTTP_TIMEOUTS, (req, res) => {
    if (refuseUndecodablePath(req, res)) return;
    void handle(req, res);
  });
  if (dev) {
    const upgrade = app.getUpgradeHandler();
    server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/socket.io/") && !tunnelSocketOf(req)) void upgrade(req, socket, head);
    });
  }
  const tunnels = await registerEngine();
  const sweeps = registerSweeps();
  void sweeps.swept.then(tunnels.reopen);
  const features: Feature[] = [
    node,
    tunnels,
    registerTunnelNotifications(tunnels.engine),
    registerRealtime(server, tunnels.engine),
    registerConnect(server, tunnels.engine),
    sweeps,
    registerAuditUpkeep(),
    registerAuditStreaming(),
    registerNotifications(),
  ];
  // Claimed before everything registered above: app hosts first, then requests
  // for the open connections of a tunnel another node carries. Addresses are
  // stamped before all.
  relayConnectionRequests(server);
  features.push(registerApps(server, tunnels.engine));
  const metrics = await registerMetrics(tunnels.engine, config).catch((error: Error) => fail(error.message));
  if (metrics) features.push(metrics);
  stampClientIps(server, config);
  logRequests(server, config);

  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") fail(`PORT: ${config.port} is already in use on ${config.host}`);
    fail(`cannot listen on ${config.host}:${config.port} (${error.code ?? error.message})`);
  });
  server.listen(config.port, config.host, () => {
    log().info(
      `listening on http://${config.host}:${config.port} (${dev ? "development" : "production"}), public URL ${config.publicUrl}, node ${config.node.name} (${config.node.address})`,
    );
  });
  drainOnSignals(server, features);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MigrationError) fail(error.message);
  log().error({ err: error }, "start-up failed");
  fail("start-up failed");
});
