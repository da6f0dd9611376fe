// A remote tunnel's target is dialled from the bastion, so the bastion's own
// addresses (loopback, the unspecified address, every address of its
// interfaces) would reach Warren itself, other people's listeners and
// bastion-only services. They are refused unless the host's policy names
// them explicitly: a target that is that very address, a range that lies
// within loopback or the unspecified address (127.0.0.1, 127.0.0.0/8, ::1),
// or the name "localhost" for loopback. A broad range that merely contains
// one (0.0.0.0/0, the bastion's own subnet) does not count.
import { lookup } from "node:dns/promises";
import os from "node:os";
import ipaddr from "ipaddr.js";
import { ApiError } from "@/lib/api/api-error";
import { LOOPBACK_RANGES, rangeInside } from "@/lib/tunnels/tunnel-rules";
import { parseRange } from "@/lib/validation/common";
import type { HostPolicy } from "@/lib/validation/host-policy";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Ranges that are the bastion wherever it stands. */
const UNSPECIFIED_RANGES = ["0.0.0.0/8", "::/128"].map((cidr) => ipaddr.parseCIDR(cidr));
const SELF_RANGES = [...LOOPBACK_RANGES, ...UNSPECIFIED_RANGES];

const hostBits = (address: Address) => (address.kind() === "ipv4" ? 32 : 128);

/** Why `address` is the bastion itself, or null if it is not. */
function selfReason(address: Address): string | null {
  if (rangeInside(address, hostBits(address), LOOPBACK_RANGES)) return "its loopback";
  if (rangeInside(address, hostBits(address), UNSPECIFIED_RANGES)) return "the unspecified address, which reaches the bastion itself";
  const text = address.toString();
  const own = Object.values(os.networkInterfaces())
    .flat()
    .some((entry) => entry !== undefined && ipaddr.process(entry.address.split("%")[0]!).toString() === text);
  return own ? "an address of its own interfaces" : null;
}

/** Whether one of the policy's targets names `address` itself (see the top of this file). */
function namedByPolicy(targets: readonly string[], address: Address): boolean {
  return targets.some((pattern) => {
    if (pattern.toLowerCase() === "localhost") return address.range() === "loopback";
    if (!ipaddr.isValid(pattern) && !pattern.includes("/")) return false;
    const [network, bits] = parseRange(pattern);
    if (!rangeInside(address, hostBits(address), [[network, bits]])) return false;
    return bits === hostBits(network) || rangeInside(network, bits, SELF_RANGES);
  });
}

export type BastionTarget = { addresses: string[] } | { refusal: string };

/** Resolves a remote tunnel's target once (every address), and answers either
 *  the addresses to dial, none of them the bastion's own unless the policy
 *  names it, or why not. Dial only the answered addresses, never the name
 *  again: a second look-up could answer otherwise (DNS rebinding). Rejects
 *  when the name does not resolve. */
export async function resolveBastionTarget(policy: Pick<HostPolicy, "targets">, hostName: string, host: string): Promise<BastionTarget> {
  const literal = ipaddr.isValid(host);
  const found = literal ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  // Numeric forms (0x7f000001, ::ffff:127.0.0.1) are dialled as the address they spell.
  const addresses = found.map((text) => ipaddr.process(text));
  for (const address of addresses) {
    const reason = selfReason(address);
    if (!reason || namedByPolicy(policy.targets, address)) continue;
    const what = literal ? host : `${host} resolves to ${address.toString()}, which`;
    return { refusal: `${what} is the bastion itself (${reason}); ${hostName}'s policy must name it in its targets to allow that` };
  }
  return { addresses: addresses.map((address) => address.toString()) };
}

/** The request-time check of a remote tunnel's target. A name that does not
 *  resolve now passes: each connection resolves it again, and says so. */
export async function assertNotBastion(policy: Pick<HostPolicy, "targets">, hostName: string, target: { host: string }) {
  const checked = await resolveBastionTarget(policy, hostName, target.host).catch(() => null);
  if (checked && "refusal" in checked) throw new ApiError({ code: "forbidden", field: "target.host", message: checked.refusal });
}
