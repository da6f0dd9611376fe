// Web tunnels' app hosts (WARREN_APPS_DOMAIN) on Warren's HTTP server: every
// request and upgrade whose Host is under the apps domain is answered by the
// app proxy and by nothing else. socket.io and Next serve Warren's own host
// only, so an app's page can never reach them as Warren.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { appHostOf } from "@/lib/apps/app-address";
import { appPageResponse } from "@/lib/apps/app-page";
import { getConfig } from "@/lib/config";
import { onAccessRecheck } from "@/lib/tunnels/recheck-live-access";
import { AppProxy } from "@/server/apps/app-proxy";
import { AppSessions } from "@/server/apps/app-sessions";
import { claimFirst } from "@/server/claim-first";
import type { Feature } from "@/server/feature";
import type { TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { log } from "@/lib/log";

function failed(res: ServerResponse, error: unknown) {
  log().error({ err: error }, "serving a web app failed");
  if (res.headersSent) return void res.destroy();
  const { status, headers, body } = appPageResponse({ status: 500, title: "Warren could not serve this app", message: "See Warren's log." });
  res.writeHead(status, headers).end(body);
}

/** Registered after every other request and upgrade listener (server/index.ts). */
export function registerApps(server: Server, engine: TunnelEngine): Feature {
  const config = getConfig();
  const sessions = new AppSessions();
  const proxy = new AppProxy(engine, sessions);
  const offRecheck = onAccessRecheck(() => sessions.recheck());
  const hostOf = (req: IncomingMessage) => appHostOf(req.headers.host, config);
  const refuse = { status: 404, title: "No such app", message: "Nothing is served at this address." };

  claimFirst(server, "request", ([req, res]) => {
    const host = hostOf(req as IncomingMessage);
    if (!host) return false;
    const response = res as ServerResponse;
    if ("unknown" in host) {
      const { status, headers, body } = appPageResponse(refuse);
      response.writeHead(status, headers).end(body);
    } else {
      proxy.web(req as IncomingMessage, response, host.slug).catch((error: unknown) => failed(response, error));
    }
    return true;
  });
  claimFirst(server, "upgrade", ([req, socket, head]) => {
    const host = hostOf(req as IncomingMessage);
    if (!host) return false;
    const duplex = socket as Duplex;
    duplex.on("error", () => {});
    if ("unknown" in host) duplex.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else {
      proxy.upgrade(req as IncomingMessage, duplex, head as Buffer, host.slug).catch((error: unknown) => {
        log().error({ err: error }, "a web app's WebSocket failed");
        duplex.destroy();
      });
    }
    return true;
  });

  return {
    name: "apps",
    async stop() {
      offRecheck();
      await sessions.stop();
    },
  };
}
