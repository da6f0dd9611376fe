import type { listHosts } from "@/lib/hosts";
import { hostPort } from "@/lib/net/host-port";

type Host = Awaited<ReturnType<typeof listHosts>>[number];

/** What the hosts page hands its client components: plain values, no dates to serialize. */
export type HostView = Omit<Host, "createdAt" | "updatedAt">;

export function hostView({ createdAt: _created, updatedAt: _updated, ...host }: Host): HostView {
  return host;
}

/** `user@address:port`, with IPv6 literals bracketed so the port stays readable. */
export function connectsAs(host: Pick<HostView, "username" | "address" | "port">): string {
  return `${host.username}@${hostPort(host.address, host.port)}`;
}
