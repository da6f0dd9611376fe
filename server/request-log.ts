// Every HTTP request and upgrade gets an id, in x-request-id on the request
// (for the log lines Warren's code writes about it) and on the answer (for a
// person reporting a problem). A client's own x-request-id is replaced: what
// a client sends under that name could be made to match someone else's.
// Each answered request is one log line; Next's assets and socket.io's
// polls only at debug level.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-info";
import type { WarrenConfig } from "@/lib/config";
import { log, REQUEST_ID_HEADER } from "@/lib/log";
import { routeOf } from "@/server/metrics/route-template";

const QUIET_ROUTES = new Set(["/_next", "/socket.io"]);

function stampRequestId(req: IncomingMessage): string {
  const id = randomBytes(8).toString("hex");
  req.headers[REQUEST_ID_HEADER] = id;
  return id;
}

export function logRequests(server: Server, config: WarrenConfig) {
  server.prependListener("upgrade", stampRequestId);
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const id = stampRequestId(req);
    res.setHeader(REQUEST_ID_HEADER, id);
    const started = performance.now();
    res.once("close", () => {
      const route = routeOf(req, config);
      const line = {
        req: id,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        ip: req.headers[CLIENT_IP_HEADER],
      };
      if (QUIET_ROUTES.has(route)) log().debug(line, "request");
      else log().info(line, "request");
    });
  });
}
