// A host's policy applied to a tunnel request, and to each SOCKS connection.
import ipaddr from "ipaddr.js";
import { ApiError } from "@/lib/api/api-error";
import type { Host, Prisma } from "@/lib/generated/prisma/client";
import { LOOPBACK_RANGES, isLoopback, isMetadataAddress, metadataRefusal, perList, rangeInside, sourceAllowed } from "@/lib/tunnels/tunnel-rules";
import { hostTarget, type TunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { parseRange } from "@/lib/validation/common";
import type { HostPolicy } from "@/lib/validation/host-policy";
import type { CreateTunnel } from "@/lib/validation/tunnels";

/** The host columns its policy is stored in, as a Prisma select: what hostPolicy reads and withoutPolicyColumns drops. */
export const HOST_POLICY_COLUMNS = {
  policyKinds: true,
  policyTargets: true,
  policyPorts: true,
  policyPublicBinds: true,
  policyAnySource: true,
  policyMaxTtlMinutes: true,
  policyDefaultTtlMinutes: true,
  policyApproval: true,
  policyMaxOpenPerUser: true,
  policyMaxPendingPerUser: true,
  policyIdleMinutes: true,
} as const satisfies Prisma.HostSelect;

type PolicyColumns = Pick<Host, keyof typeof HOST_POLICY_COLUMNS>;

/** A host row without its policy columns, which hostPolicy turns into one object. */
export function withoutPolicyColumns<Row extends PolicyColumns>(row: Row): Omit<Row, keyof PolicyColumns> {
  return Object.fromEntries(Object.entries(row).filter(([column]) => !Object.hasOwn(HOST_POLICY_COLUMNS, column))) as Omit<Row, keyof PolicyColumns>;
}

export function hostPolicy(host: PolicyColumns): HostPolicy {
  return {
    kinds: JSON.parse(host.policyKinds) as HostPolicy["kinds"],
    targets: JSON.parse(host.policyTargets) as string[],
    ports: JSON.parse(host.policyPorts) as string[],
    publicBinds: host.policyPublicBinds,
    anySource: host.policyAnySource,
    defaultTtlMinutes: host.policyDefaultTtlMinutes,
    maxTtlMinutes: host.policyMaxTtlMinutes,
    idleMinutes: host.policyIdleMinutes,
    approval: host.policyApproval,
    maxOpenPerUser: host.policyMaxOpenPerUser,
    maxPendingPerUser: host.policyMaxPendingPerUser,
  };
}

export function policyColumns(policy: Partial<HostPolicy>): Partial<PolicyColumns> {
  return {
    ...(policy.kinds ? { policyKinds: JSON.stringify(policy.kinds) } : {}),
    ...(policy.targets ? { policyTargets: JSON.stringify(policy.targets) } : {}),
    ...(policy.ports ? { policyPorts: JSON.stringify(policy.ports) } : {}),
    ...(policy.publicBinds === undefined ? {} : { policyPublicBinds: policy.publicBinds }),
    ...(policy.anySource === undefined ? {} : { policyAnySource: policy.anySource }),
    ...(policy.maxTtlMinutes === undefined ? {} : { policyMaxTtlMinutes: policy.maxTtlMinutes }),
    ...(policy.defaultTtlMinutes === undefined ? {} : { policyDefaultTtlMinutes: policy.defaultTtlMinutes }),
    ...(policy.approval === undefined ? {} : { policyApproval: policy.approval }),
    ...(policy.idleMinutes === undefined ? {} : { policyIdleMinutes: policy.idleMinutes }),
    ...(policy.maxOpenPerUser === undefined ? {} : { policyMaxOpenPerUser: policy.maxOpenPerUser }),
    ...(policy.maxPendingPerUser === undefined ? {} : { policyMaxPendingPerUser: policy.maxPendingPerUser }),
  };
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A pattern of a policy's targets as a test of a host: its lower-cased name, and its address if it is one. */
function targetMatcher(pattern: string): (name: string, address: Address | null) => boolean {
  if (pattern.startsWith("*.")) {
    const suffix = pattern.slice(1).toLowerCase();
    return (name) => name.endsWith(suffix);
  }
  if (ipaddr.isValid(pattern) || pattern.includes("/")) {
    const [network, bits] = parseRange(pattern);
    return (_, address) => address !== null && address.kind() === network.kind() && address.match(network, bits);
  }
  const exact = pattern.toLowerCase();
  return (name) => name === exact;
}

const targetMatchers = perList((targets) => targets.map(targetMatcher));

function allowsHost(targets: string[], host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  const address = ipaddr.isValid(name) ? ipaddr.process(name) : null;
  return targetMatchers(targets).some((matches) => matches(name, address));
}

/** Why `host:port` is not a destination the policy allows, or null if it is. */
export function destinationRefusal(policy: HostPolicy, hostName: string, target: { host: string; port: number }): { field: string; message: string } | null {
  if (isMetadataAddress(target.host)) return { field: "target.host", message: metadataRefusal(target.host) };
  if (policy.targets.length && !allowsHost(policy.targets, target.host)) {
    return { field: "target.host", message: `${hostName} allows tunnels only to ${policy.targets.join(", ")}` };
  }
  const portAllowed = policy.ports.some((range) => {
    const [low, high = low] = range.split("-").map(Number) as [number, number?];
    return target.port >= low && target.port <= high!;
  });
  if (policy.ports.length && !portAllowed) {
    return { field: "target.port", message: `${hostName} allows tunnels only to ports ${policy.ports.join(", ")}` };
  }
  return null;
}

const forbidden = (field: string, message: string) => new ApiError({ code: "forbidden", field, message });

type Refusal = { field: string; message: string };
type Endpoints = Pick<TunnelSpec, "kind" | "listen"> & { target?: TunnelSpec["target"] };
/** A tunnel already granted, as stored. */
type PolicedTunnel = Endpoints & Pick<TunnelSpec, "allowedSources">;
/** A request as asked: its TTL or its sources may be left out (then the host's default TTL, and the requester's own address, apply). */
type PolicedRequest = Endpoints & Pick<CreateTunnel, "allowedSources" | "ttlMinutes" | "idleMinutes" | "reason">;

/** Why the policy does not allow the tunnel's kind, listen address or target, or null if it does. */
export function policyRefusal(tunnel: Endpoints, policy: HostPolicy, hostName: string): Refusal | null {
  if (!policy.kinds.includes(tunnel.kind)) return { field: "kind", message: `${hostName} does not allow ${tunnel.kind} tunnels` };
  if (tunnel.listen && !isLoopback(tunnel.listen.address) && !policy.publicBinds) {
    return { field: "listen.address", message: `${hostName} allows listening on loopback only (127.0.0.1), not on ${tunnel.listen.address}` };
  }
  const target = hostTarget(tunnel.target);
  return target ? destinationRefusal(policy, hostName, target) : null;
}

const singleAddress = (range: string) => {
  const [network, bits] = parseRange(range);
  return bits === (network.kind() === "ipv4" ? 32 : 128);
};

/** A range of the bastion's loopback, which the owner of a loopback listener there may list. */
const insideLoopback = (range: string) => rangeInside(...parseRange(range), LOOPBACK_RANGES);

/** A remote tunnel's loopback listener is on the SSH host: only programs there reach it, whatever their address. */
const remoteLoopback = (tunnel: Endpoints) => tunnel.kind === "remote" && tunnel.listen !== null && isLoopback(tunnel.listen.address);

/** For a tunnel already granted: its sources were checked against its
 *  requester's address then, and teammates joined one address each since,
 *  so single addresses stay; a range, or everyone, needs the policy (or an admin owner). */
export function storedSourcesRefusal(tunnel: PolicedTunnel, policy: HostPolicy, hostName: string, ownerIsAdmin: boolean): Refusal | null {
  // With no listener there is no source to check: warren connect checks the person.
  if (!tunnel.listen || remoteLoopback(tunnel) || policy.anySource || ownerIsAdmin) return null;
  const loopbackListener = isLoopback(tunnel.listen.address);
  const wide =
    tunnel.allowedSources.length === 0
      ? ["anyone"]
      : tunnel.allowedSources.filter((range) => !singleAddress(range) && !(loopbackListener && insideLoopback(range)));
  return wide.length ? { field: "allowedSources", message: `${hostName} lets in single addresses only, not ${wide.join(", ")}` } : null;
}

/** Checks a request against the host's policy; answers the allowed sources to store.
 *  A listener defaults to the requester's own address, and wider ranges need
 *  the policy's permission. The bastion's loopback is no exception: there,
 *  "anyone" would be every program and person on the bastion, Warren itself
 *  among them (a remote tunnel's connections to its target come from it);
 *  its owner may list loopback addresses, explicitly. A remote tunnel's
 *  loopback listener is on the SSH host, reached only by programs there, so
 *  source addresses say nothing about who they are. */
export function applyHostPolicy(tunnel: PolicedRequest, policy: HostPolicy, hostName: string, requester: { ip: string | null; isAdmin: boolean }): string[] {
  const refusal = policyRefusal(tunnel, policy, hostName);
  if (refusal) throw forbidden(refusal.field, refusal.message);
  if (tunnel.ttlMinutes !== undefined && tunnel.ttlMinutes > policy.maxTtlMinutes) {
    throw new ApiError({ code: "unprocessable_entity", field: "ttlMinutes", message: `must be at most ${policy.maxTtlMinutes} minutes on ${hostName}` });
  }
  if (tunnel.idleMinutes !== undefined && policy.idleMinutes && tunnel.idleMinutes > policy.idleMinutes) {
    throw new ApiError({
      code: "unprocessable_entity",
      field: "idleMinutes",
      message: `must be at most ${policy.idleMinutes} minutes on ${hostName}: it closes idle tunnels then`,
    });
  }
  // Admins' own requests need nobody's approval; everyone else's wait, and say why.
  if (policy.approval && !requester.isAdmin && !tunnel.reason) {
    throw new ApiError({
      code: "unprocessable_entity",
      field: "reason",
      message: `is required: ${hostName} needs approval, and approvers read why you need it`,
    });
  }
  const { allowedSources } = tunnel;
  if (!tunnel.listen) return [];
  if (remoteLoopback(tunnel)) return allowedSources ?? [];
  const own = requester.ip ? ipaddr.process(requester.ip).toString() : null;
  if (!allowedSources) {
    if (!own) throw forbidden("allowedSources", "Warren cannot tell your address: list the allowed sources");
    return [own];
  }
  // An empty list lets anyone in: the widest range of all.
  const loopbackListener = isLoopback(tunnel.listen.address);
  const narrow =
    allowedSources.length > 0 &&
    allowedSources.every((range) => (own !== null && singleAddress(range) && sourceAllowed(own, [range])) || (loopbackListener && insideLoopback(range)));
  if (!narrow && !policy.anySource && !requester.isAdmin) {
    const loopback = loopbackListener ? " or loopback addresses (programs on the bastion)" : "";
    throw forbidden("allowedSources", `${hostName} lets you allow only your own address${own ? ` (${own})` : ""}${loopback}; wider ranges need an admin`);
  }
  return allowedSources;
}
