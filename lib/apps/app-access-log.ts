// A web tunnel's access log, for whoever may view the tunnel: its newest
// browser sessions (who, from where, how long, how much) and requests.
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { findVisible } from "@/lib/tunnels/tunnels";

const SESSIONS_SHOWN = 20;
const REQUESTS_SHOWN = 100;

export async function getAccessLog({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const tunnel = await findVisible(ctx, input.id);
  const prisma = getPrisma();
  const [sessions, requests] = await Promise.all([
    prisma.appSession.findMany({
      where: { tunnelId: tunnel.id },
      include: { user: { select: { email: true } } },
      orderBy: { startedAt: "desc" },
      take: SESSIONS_SHOWN,
    }),
    prisma.appRequest.findMany({ where: { tunnelId: tunnel.id }, orderBy: { id: "desc" }, take: REQUESTS_SHOWN }),
  ]);
  const behind = await prisma.appSession.findMany({
    where: { id: { in: [...new Set(requests.map((line) => line.sessionId))] } },
    select: { id: true, user: { select: { email: true } } },
  });
  const emails = new Map(behind.map((session) => [session.id, session.user.email]));
  return {
    sessions: sessions.map((session) => ({
      id: session.id,
      email: session.user.email,
      address: session.address,
      startedAt: session.startedAt.toISOString(),
      lastSeenAt: session.lastSeenAt.toISOString(),
      endedAt: session.endedAt?.toISOString() ?? null,
      endReason: session.endReason,
      requests: session.requests,
      bytesIn: Number(session.bytesIn),
      bytesOut: Number(session.bytesOut),
    })),
    requests: requests.map((line) => ({
      id: line.id,
      at: line.at.toISOString(),
      email: emails.get(line.sessionId) ?? null,
      method: line.method,
      path: line.path,
      status: line.status,
      bytesIn: line.bytesIn,
      bytesOut: line.bytesOut,
      ms: line.ms,
    })),
  };
}
export type AccessLog = Awaited<ReturnType<typeof getAccessLog>>;
