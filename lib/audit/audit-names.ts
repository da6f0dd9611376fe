// The names behind the ids a page of audit records points at, one query per
// kind of thing, so the page tells "lab-1" and "bob's tunnel db: …", not ids.
// What was removed since has no name here; the sentences fall back on the
// record's own details.
import type { AuditNames } from "@/lib/audit/audit-sentence";
import { getPrisma } from "@/lib/db/prisma";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";

type Referencing = { hostId: string | null; tunnelId: string | null; subjectId: string | null; details: Record<string, unknown> };

const idsOf = (values: unknown[]) => [...new Set(values.filter((value): value is string => typeof value === "string" && value.length > 0))];

export async function auditNames(records: Referencing[]): Promise<AuditNames> {
  const hostIds = idsOf(records.map((record) => record.hostId));
  const tunnelIds = idsOf(records.map((record) => record.tunnelId));
  // A subject is a user, a team, a token… by action: looking each up as a user and as a team finds what it is.
  const subjects = idsOf(records.flatMap((record) => [record.subjectId, record.details.userId, record.details.teamId]));
  const prisma = getPrisma();
  const [hosts, tunnels, teams, users] = await Promise.all([
    hostIds.length ? prisma.host.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } }) : [],
    tunnelIds.length ? prisma.tunnel.findMany({ where: { id: { in: tunnelIds } }, include: { owner: { select: { email: true } } } }) : [],
    subjects.length ? prisma.team.findMany({ where: { id: { in: subjects } }, select: { id: true, name: true } }) : [],
    subjects.length ? prisma.user.findMany({ where: { id: { in: subjects } }, select: { id: true, email: true } }) : [],
  ]);
  return {
    hosts: Object.fromEntries(hosts.map((host) => [host.id, host.name])),
    tunnels: Object.fromEntries(
      tunnels.map((tunnel) => [tunnel.id, { endpoint: tunnelEndpoint({ ...tunnelSpec(tunnel), name: tunnel.name }), owner: tunnel.owner.email }]),
    ),
    teams: Object.fromEntries(teams.map((team) => [team.id, team.name])),
    users: Object.fromEntries(users.map((user) => [user.id, user.email])),
  };
}
