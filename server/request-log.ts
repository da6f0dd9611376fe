// Every HTTP request and upgrade gets an id, in x-request-id on the request
// (for the log lines Warren's code writes about it) and on the answer (for a
// person reporting a problem). A client's own x-request-id is replaced: what
// a client sends under that name could be made to match someone else's.
// Each answered request is one log line; Next's assets and socket.io's
// polls only at debug level. Its route template is worked out once, here,
// for the log line and for whoever else follows answered requests (metrics).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-info";
import type { WarrenConfig } from "@/lib/config";
import { log, REQUEST_ID_HEADER } from "@/lib/log";
import { routeOf } from "@/server/metrics/route-template";

/** An answered request: its route template, method, status code and how long it took. */
export type AnsweredRequest = { route: string; method: string; code: number; seconds: number };

const QUIET_ROUTES = new Set(["/_next", "/socket.io"]);
const followers: ((request: AnsweredRequest) => void)[] = [];

/** Calls `follow` with every request Warren answers from now on, after its log line. */
export function followRequests(follow: (request: AnsweredRequest) => void) {
  followers.push(follow);
}

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
      const answered = { route: routeOf(req, config), method: req.method ?? "", code: res.statusCode, seconds: (performance.now() - started) / 1000 };
      const line = {
        req: id,
        method: req.method,
        route: answered.route,
        status: answered.code,
        ms: Math.round(answered.seconds * 1000),
        ip: req.headers[CLIENT_IP_HEADER],
      };
      if (QUIET_ROUTES.has(answered.route)) log().debug(line, "request");
      else log().info(line, "request");
      for (const follow of followers) follow(answered);
    });
  });
}
