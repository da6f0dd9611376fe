import type { Metadata } from "next";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { listTeams } from "@/lib/teams/teams";
import { CreateTeamForm } from "./create-team-form";
import { TeamList } from "./team-list";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage() {
  const { user, ctx } = await requireSessionCtx();
  const admin = user.role === "admin";
  // Admins get every team; everyone else the teams they are in.
  const teams = (await listTeams({ ctx })).map(({ createdAt: _created, ...team }) => team);
  return (
    <section aria-labelledby="teams-heading" className="space-y-8">
      <div>
        <h1 id="teams-heading" className="text-xl font-semibold">
          Teams
        </h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          A team&apos;s members use the hosts given to it and see the tunnels shared with it; its owners manage its members, its hosts and decide its
          members&apos; requests on hosts that need approval.
        </p>
      </div>
      <TeamList teams={teams} viewer={{ id: user.id, isAdmin: admin }} />
      {admin ? <CreateTeamForm /> : null}
    </section>
  );
}
