import type { Metadata } from "next";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import { listInvitations, listTeams } from "@/lib/teams/teams";
import { CreateTeamForm } from "./create-team-form";
import { InvitationList } from "./invitation-list";
import { TeamList } from "./team-list";
import { PageHeading } from "@/app/components/page-heading";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage() {
  const { user, ctx } = await requireSessionCtx();
  const admin = user.role === "admin";
  // Admins get every team; everyone else the teams they are in.
  const [all, invitations] = await Promise.all([listTeams({ ctx }), listInvitations({ ctx })]);
  const teams = all.map(({ createdAt: _created, ...team }) => team);
  return (
    <section aria-labelledby="teams-heading" className="space-y-8">
      <PageHeading
        id="teams-heading"
        title="Teams"
        description={
          <>
            A team&apos;s members use the hosts given to it and see the tunnels shared with it; its owners manage its members, choose which of their teams see
            the hosts they look after, and decide its members&apos; requests on hosts that need approval. Admins add hosts and set their policies.
          </>
        }
      />
      <InvitationList invitations={invitations} />
      <TeamList teams={teams} viewer={{ id: user.id, isAdmin: admin, ssoName: getConfig().oidc?.name ?? null }} />
      {admin ? <CreateTeamForm /> : null}
    </section>
  );
}
