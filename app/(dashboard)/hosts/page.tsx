import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { nodeList } from "@/lib/host-nodes";
import { listHosts } from "@/lib/hosts";
import { ownedTeams, teamRoles } from "@/lib/teams/team-access";
import { listTeams } from "@/lib/teams/teams";
import { AddHostDrawer } from "./add-host-drawer";
import { HostTable } from "./host-table";
import { hostView } from "./host-view";
import { PageHeading } from "@/app/components/page-heading";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage() {
  const { user, ctx } = await requireSessionCtx();
  // Admins and team owners, decided here on the server; to everyone else the page does not exist.
  const admin = user.role === "admin";
  const owned = ownedTeams(await teamRoles(user.id));
  if (!admin && owned.length === 0) forbidden();
  // Team owners see only the hosts they manage, test them and assign them only to their own teams; adding hosts is for admins.
  const [hosts, teams, nodes] = await Promise.all([listHosts({ ctx }), listTeams({ ctx }), nodeList()]);
  const manageable = hosts.filter((host) => host.manageable).map(hostView);
  const assignable = teams.filter((team) => admin || owned.includes(team.id)).map(({ id, name }) => ({ id, name }));
  return (
    <section aria-labelledby="hosts-heading" className="space-y-4">
      <PageHeading id="hosts-heading" title="Hosts" description="The SSH servers Warren opens tunnels through. Keys stay on the bastion, encrypted.">
        {admin ? <AddHostDrawer teams={assignable} canAssignAll={admin} /> : null}
      </PageHeading>
      {/* Nodes are named only where several share the database. */}
      <HostTable
        labelledBy="hosts-heading"
        hosts={manageable}
        teams={assignable}
        nodes={nodes.length > 1 ? nodes.map(({ name, running }) => ({ name, running })) : []}
        canAssignAll={admin}
      />
    </section>
  );
}
