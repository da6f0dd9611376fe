// Where a tunnel may listen and where it may lead, before any policy of
// teams or hosts: Warren-side listeners stay inside the configured addresses
// and port range; cloud metadata services are never a target.
import ipaddr from "ipaddr.js";
import { ApiError } from "@/lib/api/api-error";
import type { WarrenConfig } from "@/lib/config";
import { parseRange } from "@/lib/validation/common";
import { hostTarget } from "@/lib/tunnels/tunnel-spec";
import type { CreateTunnel } from "@/lib/validation/tunnels";

const METADATA_RANGES = ["169.254.0.0/16", "fd00:ec2::254/128"].map((cidr) => ipaddr.parseCIDR(cidr));
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

/** IPv6 prefixes whose last 32 bits are an IPv4 address a host may reach: IPv4-compatible
 *  (::a.b.c.d) and NAT64's well-known prefix. IPv4-mapped ones are ipaddr.process's. */
const IPV4_CARRIERS = ["::/96", "64:ff9b::/96"].map((cidr) => ipaddr.parseCIDR(cidr));

function carriedIPv4(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.kind() !== "ipv6" || !IPV4_CARRIERS.some(([range, bits]) => address.match(range, bits))) return null;
  return new ipaddr.IPv4(address.toByteArray().slice(12));
}

/** Every spelling a resolver turns into a metadata address: names, numeric forms as
 *  inet_aton reads them (0xa9fea9fe, 2852039166, octal, 169.254.43518), IPv6 forms
 *  that carry the IPv4 address, a trailing dot. */
export function isMetadataAddress(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (METADATA_NAMES.has(name)) return true;
  if (!ipaddr.isValid(name)) return false;
  const address = ipaddr.process(name);
  return [address, carriedIPv4(address)].some(
    (candidate) => candidate !== null && METADATA_RANGES.some(([range, bits]) => candidate.kind() === range.kind() && candidate.match(range, bits)),
  );
}

export const metadataRefusal = (host: string) => `${host} is a cloud metadata address; Warren does not forward to it`;

/** Whether every address of the range `network/bits` lies inside one of `ranges`. */
export function rangeInside(network: ipaddr.IPv4 | ipaddr.IPv6, bits: number, ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][]): boolean {
  return ranges.some(([range, rangeBits]) => network.kind() === range.kind() && network.match(range, rangeBits) && bits >= rangeBits);
}

export const LOOPBACK_RANGES = ["127.0.0.0/8", "::1/128"].map((cidr) => ipaddr.parseCIDR(cidr));

/** `compute(items)` once per array rather than per call. For the lists of
 *  addresses and patterns each connection is checked against, which are
 *  never changed in place: parsing "10.0.0.0/8" makes ipaddr.js throw and
 *  catch twice, a cost a SOCKS tunnel otherwise pays on every connection
 *  (docs/performance.md, "Tunings"). */
export function perList<T>(compute: (items: readonly string[]) => T): (items: readonly string[]) => T {
  const computed = new WeakMap<readonly string[], T>();
  return (items) => {
    if (!computed.has(items)) computed.set(items, compute(items));
    return computed.get(items)!;
  };
}

const sourceRanges = perList((ranges) => ranges.map(parseRange));

/** Whether `source` (as a socket reports it, maybe IPv4-mapped) is inside one of `ranges`; no ranges means anyone. */
export function sourceAllowed(source: string | undefined, ranges: string[]): boolean {
  if (ranges.length === 0) return true;
  if (!source || !ipaddr.isValid(source)) return false;
  const address = ipaddr.process(source);
  return sourceRanges(ranges).some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits));
}

const WILDCARDS = new Set(["0.0.0.0", "::", "*", ""]);
export const isWildcard = (address: string) => WILDCARDS.has(address);
export const isLoopback = (address: string) => address === "localhost" || (ipaddr.isValid(address) && ipaddr.process(address).range() === "loopback");

export function checkTunnelRules(tunnel: CreateTunnel, config: Pick<WarrenConfig, "listenAddresses" | "listenPorts">) {
  if (tunnel.kind !== "remote" && tunnel.listen) {
    // The listener is Warren's own, on the bastion.
    if (!config.listenAddresses.includes(tunnel.listen.address)) {
      throw new ApiError({
        code: "unprocessable_entity",
        field: "listen.address",
        message: `must be ${config.listenAddresses.join(" or ")}: Warren listens only there on the bastion`,
      });
    }
    const { min, max } = config.listenPorts;
    if (tunnel.listen.port < min || tunnel.listen.port > max) {
      throw new ApiError({ code: "unprocessable_entity", field: "listen.port", message: `must be between ${min} and ${max} on the bastion` });
    }
  }
  const target = hostTarget(tunnel.target);
  if (target && isMetadataAddress(target.host)) {
    throw new ApiError({ code: "unprocessable_entity", field: "target.host", message: metadataRefusal(target.host) });
  }
}
