// A `warren connect` or `expose` client, or a browser on a web app, that
// reached a node other than the one carrying its tunnel is relayed, whole, to
// the carrier's HTTP server (its WARREN_NODE_URL). The carrier authorises,
// carries, counts and records it as if it had come straight there, so each
// tunnel keeps one writer of its counters and one place that enforces its
// limits. Opening a second SSH channel on the node reached would split both.
//
// The relaying node names the client's address in a header MACed with a key
// derived from WARREN_SECRET_KEY (the same on every node); the carrier takes
// the address only with a valid MAC, and never relays a relayed request again.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createProxyServer } from "http-proxy-3";
import { clientInfo } from "@/lib/auth/client-info";
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";

export const RELAY_HEADER = "x-warren-relay";
/** How long a relay header is believed: covers the clocks of nodes kept by NTP, not a replay later. */
const RELAY_VALID_MS = 30_000;

/** The node carrying a tunnel, when it is another one than this. */
export type Carrier = { node: string; url: string };

const relayed = new WeakSet<IncomingMessage>();

/** A MAC under a key of its own, derived from WARREN_SECRET_KEY. */
function macOf(secretKey: Buffer, payload: string) {
  const key = createHmac("sha256", secretKey).update("warren node relay v1").digest();
  return createHmac("sha256", key).update(payload).digest("base64url");
}

/** The header node `from` sends with a request it relays for the client at `clientIp`. */
export function relayHeader(secretKey: Buffer, from: string, clientIp: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ from, ip: clientIp, until: now + RELAY_VALID_MS })).toString("base64url");
  return `${payload}.${macOf(secretKey, payload)}`;
}

/** The client's address a relay header names, if a node with the same key sent it (its MAC holds) and it is fresh. */
export function readRelayHeader(secretKey: Buffer, value: string, now = Date.now()): { from: string; ip: string } | undefined {
  const [payload, mac, ...more] = value.split(".");
  if (!payload || !mac || more.length > 0) return undefined;
  const expected = Buffer.from(macOf(secretKey, payload));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claim = JSON.parse(Buffer.from(payload, "base64url").toString()) as { from?: unknown; ip?: unknown; until?: unknown };
    if (typeof claim.from !== "string" || typeof claim.ip !== "string" || typeof claim.until !== "number" || claim.until < now) return undefined;
    return { from: claim.from, ip: claim.ip };
  } catch {
    return undefined;
  }
}

/** Takes the relay header off a request: the client's address it names, if another node sent it. Never passed on. */
export function takeRelayHeader(req: IncomingMessage): string | undefined {
  const value = req.headersDistinct[RELAY_HEADER];
  delete req.headers[RELAY_HEADER];
  const claim = value?.length === 1 ? readRelayHeader(getConfig().secretKey, value[0]!) : undefined;
  if (!claim) return undefined;
  relayed.add(req);
  return claim.ip;
}

/** Whether another node relayed this request here: it is never relayed on. */
export const wasRelayed = (req: IncomingMessage) => relayed.has(req);

/** The node whose lease on the tunnel is current, when it is not this one. */
export async function carrierElsewhere(tunnelId: string): Promise<Carrier | undefined> {
  const row = await getPrisma().tunnel.findUnique({
    where: { id: tunnelId },
    select: { leaseUntil: true, node: { select: { name: true, url: true, stoppedAt: true } } },
  });
  const node = row?.node;
  if (!node || node.name === getConfig().node.name || node.stoppedAt || !node.url || !row.leaseUntil || row.leaseUntil < new Date()) return undefined;
  return { node: node.name, url: node.url };
}

/** Why a relay failed, as the person reads it. */
export const relayFailure = (carrier: Carrier, error: Error & { code?: string }) =>
  `Warren node ${carrier.node}, which carries this tunnel, did not answer at ${carrier.url} (${error.code ?? error.message})`;

/** Relays requests and upgrades to the node carrying their tunnel, naming their client. */
export class NodeRelay {
  private readonly proxy = createProxyServer({ xfwd: false, ws: true });

  /** `failed` answers the client when the carrier could not be reached; once its answer has begun, the connection is cut instead. */
  web(req: IncomingMessage, res: ServerResponse, carrier: Carrier, failed: (reason: string) => void) {
    this.proxy.web(req, res, this.options(req, carrier), (error) => (res.headersSent ? res.destroy() : failed(relayFailure(carrier, error))));
  }

  upgrade(req: IncomingMessage, socket: Duplex & { bytesWritten?: number }, head: Buffer, carrier: Carrier, failed: (reason: string) => void) {
    this.proxy.ws(req, socket, head, this.options(req, carrier), (error) => (socket.bytesWritten ? socket.destroy() : failed(relayFailure(carrier, error))));
  }

  private options(req: IncomingMessage, carrier: Carrier) {
    const { secretKey, node } = getConfig();
    return { target: carrier.url, headers: { [RELAY_HEADER]: relayHeader(secretKey, node.name, clientInfo(req.headers).ip ?? "unknown") } };
  }
}
