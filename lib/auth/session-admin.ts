// Browser sessions a person can see and end: their own (Account page), or
// anyone's for an admin (Users page). Ending one deletes its row, so its
// cookie stops working on the next request and its sockets are told.
import { ApiError } from "@/lib/api/api-error";
import { recordAudit } from "@/lib/audit/audit-log";
import { actorId, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { isPrivileged } from "@/lib/teams/team-access";

export type SessionDto = { id: string; createdAt: string; expiresAt: string; ip: string | null; userAgent: string | null; current: boolean };

function mayManage(ctx: Ctx, userId: string) {
  if (actorId(ctx) !== userId && !isPrivileged(ctx)) throw new ApiError({ code: "forbidden", message: "only admins manage other people's sessions" });
}

/** `current`: the caller's own session, marked so a page can say "this browser". */
export async function listSessions({ ctx, input }: { ctx: Ctx; input: { userId: string; current?: string | null } }): Promise<SessionDto[]> {
  mayManage(ctx, input.userId);
  const rows = await getPrisma().authSession.findMany({
    where: { userId: input.userId, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    ip: row.ip,
    userAgent: row.userAgent,
    current: row.id === input.current,
  }));
}

export async function endSession({ ctx, input }: { ctx: Ctx; input: { userId: string; sessionId: string } }) {
  mayManage(ctx, input.userId);
  const prisma = getPrisma();
  const session = await prisma.authSession.findFirst({ where: { id: input.sessionId, userId: input.userId }, include: { user: { select: { email: true } } } });
  if (!session) throw new ApiError({ code: "not_found", message: `no session ${input.sessionId}` });
  await recordAudit(
    ctx,
    { action: "user.session_ended", subjectId: input.userId, details: { email: session.user.email, session: session.id, ip: session.ip } },
    (tx) => tx.authSession.deleteMany({ where: { id: session.id } }),
  );
  return { id: session.id, ended: true };
}
