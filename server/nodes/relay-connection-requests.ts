// A tunnel's open connections are known only to the node carrying it
// (lib/tunnels/tunnel-connections.ts). A request to list or cut them that
// reached another node is relayed, whole, to the carrier, which authorises
// and answers it as if it had come straight there: the tunnel page and API
// clients see and cut them through any node. One node (SQLite) relays nothing.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { ApiError } from "@/lib/api/api-error";
import { databaseProvider } from "@/lib/db/prisma";
import { log } from "@/lib/log";
import { claimFirst } from "@/server/claim-first";
import { carrierElsewhere, NodeRelay, wasRelayed } from "@/server/nodes/node-relay";

/** `/api/v1/tunnels/:id/connections` and `/api/v1/tunnels/:id/connections/:connectionId`, any query. */
const CONNECTIONS_PATH = /^\/api\/v1\/tunnels\/([^/?#]+)\/connections(?:\/[^/?#]+)?\/?(?:[?#]|$)/;

export const connectionsTunnelOf = (url: string | undefined): string | undefined => CONNECTIONS_PATH.exec(url ?? "")?.[1];

function answer(res: ServerResponse, error: ApiError) {
  res.writeHead(error.status, { "content-type": "application/json" }).end(JSON.stringify(error.toBody()));
}

export function relayConnectionRequests(server: Server) {
  if (databaseProvider() !== "postgresql") return;
  const relay = new NodeRelay();
  claimFirst(server, "request", ([req, res], pass) => {
    const tunnelId = connectionsTunnelOf((req as IncomingMessage).url);
    if (!tunnelId || wasRelayed(req as IncomingMessage)) return false;
    carrierElsewhere(tunnelId).then(
      (carrier) => {
        if (!carrier) return pass();
        relay.web(req as IncomingMessage, res as ServerResponse, carrier, (message) =>
          answer(res as ServerResponse, new ApiError({ code: "unavailable", message })),
        );
      },
      (error: unknown) => {
        // The database is down: the route answers as every route does meanwhile.
        log().warn({ err: error }, "finding the node that carries a tunnel failed");
        pass();
      },
    );
    return true;
  });
}
