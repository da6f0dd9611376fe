import { isIP } from "node:net";
import { sourceAllowed } from "@/lib/tunnels/tunnel-rules";

/** The client's address for a request from `peer` (the TCP peer) carrying
 *  `forwarded` (the proxy header's value, "client, proxy1, proxy2"). Only a
 *  trusted proxy may name the address it forwards for, so the header is read
 *  from the right, one hop per trusted proxy: the first address that is not
 *  a trusted proxy is the client. An entry that is not an IP address ends the
 *  walk at the last trusted hop; nothing a client writes is taken as is. */
export function clientAddress(peer: string, forwarded: string | undefined, trustedProxies: string[]): string {
  const hops = forwarded?.split(",").map((hop) => hop.trim()) ?? [];
  let address = peer;
  while (trustedProxies.length > 0 && sourceAllowed(address, trustedProxies)) {
    const hop = hops.pop();
    if (!hop || isIP(hop) === 0) break;
    address = hop;
  }
  return address;
}
