import ipaddr from "ipaddr.js";
import type { Metadata } from "next";
import { ApiError } from "@/lib/api/api-error";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { listHosts } from "@/lib/hosts";
import { listTeams } from "@/lib/teams/teams";
import { getTunnel, listTunnels } from "@/lib/tunnels/tunnels";
import { MAX_PAGE } from "@/lib/validation/page";
import type { DuplicateSource } from "./form-model";
import { NewTunnelForm } from "./new-tunnel-form";
import { suggestPort } from "./suggest-port";
import { PageHeading } from "@/app/components/page-heading";

export const metadata: Metadata = { title: "New tunnel" };

/** The requester's address as the server compares it (IPv4-mapped IPv6 unwrapped), or null if Warren cannot tell. */
function ownAddress(ip: string | null | undefined): string | null {
  return ip && ipaddr.isValid(ip) ? ipaddr.process(ip).toString() : null;
}

/** Duplicate's source: a tunnel the person may see, as the form takes it; null if there is none (or they may not see it). */
async function duplicateSource(ctx: Ctx, id: string | undefined): Promise<DuplicateSource | null> {
  if (!id) return null;
  const tunnel = await getTunnel({ ctx, input: { id } }).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === "not_found") return null;
    throw error;
  });
  if (!tunnel) return null;
  const { kind, hostId, name, listen, target, ttlMinutes, idleMinutes, allowedSources, teamId, web, participants } = tunnel;
  const joinedSources = participants.filter((participant) => participant.granted).map((participant) => participant.source);
  return { kind, hostId, name, listen, target, ttlMinutes, idleMinutes, allowedSources, teamId, web, joinedSources };
}

export default async function NewTunnelPage({ searchParams }: { searchParams: Promise<{ from?: string }> }) {
  const { user, ctx } = await requireSessionCtx();
  const [hosts, tunnels, teams, from] = await Promise.all([
    listHosts({ ctx }),
    listTunnels({ ctx, input: { limit: MAX_PAGE, status: "open" } }),
    listTeams({ ctx }),
    duplicateSource(ctx, (await searchParams).from),
  ]);
  const { listenAddresses, listenPorts, appsDomain, publicUrl } = getConfig();
  // Warren-side listeners share the bastion's ports; remote ones live on their hosts.
  const usedOnBastion = tunnels.tunnels.flatMap((tunnel) => (tunnel.kind !== "remote" && tunnel.listen ? [tunnel.listen.port] : []));
  return (
    <section aria-labelledby="new-tunnel-heading" className="space-y-4">
      <PageHeading
        id="new-tunnel-heading"
        title="New tunnel"
        description={
          from
            ? "Filled in from the tunnel you duplicate: change what you like; nothing opens until you send it."
            : "Say what you want to do; the picture shows where the new port opens and where each connection goes."
        }
      />
      <NewTunnelForm
        hosts={hosts.map(({ id, name, address, port, username, hostKeyStatus, policy }) => ({ id, name, address, port, username, hostKeyStatus, policy }))}
        listenAddresses={listenAddresses}
        listenPorts={listenPorts}
        suggestedPort={suggestPort(listenPorts, usedOnBastion)}
        canAddHosts={user.role === "admin" || teams.some((team) => team.members.some((member) => member.userId === user.id && member.role === "owner"))}
        // Admins see every team but share only with their own, like everyone.
        teams={teams.filter((team) => team.members.some((member) => member.userId === user.id)).map(({ id, name }) => ({ id, name }))}
        requester={{ ip: ownAddress(ctx.ip), isAdmin: user.role === "admin" }}
        apps={{ domain: appsDomain, publicUrl }}
        from={from}
      />
    </section>
  );
}
