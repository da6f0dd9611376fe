// Server-side half of a browser session. The next-auth JWT cookie names one
// AuthSession row (`sid`); a session is valid only while that row exists, has
// not expired and its user is enabled. That makes sign-out and disabling a
// user take effect on the very next request, UI, API and socket alike.
import { decode } from "next-auth/jwt";
import { audited } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { hasSecondFactor, secondFactorRequired, secondFactorSelect } from "@/lib/auth/second-factor-required";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/** Over HTTPS `__Host-`: a browser takes it only host-only, from Warren's own host, so no app host (a sibling subdomain) can overwrite it. */
export function sessionCookieName(): string {
  return getConfig().publicUrl.startsWith("https://") ? "__Host-next-auth.session-token" : "next-auth.session-token";
}

/** `db`: a transaction's, for the sign-in audited with it. */
/** `secondFactor`: the sign-in proved it, so the re-checks count from now. */
export async function createAuthSession(
  input: { userId: string; ip?: string | null; userAgent?: string | null; secondFactor?: boolean },
  db: Prisma.TransactionClient = getPrisma(),
) {
  return db.authSession.create({
    data: {
      userId: input.userId,
      secondFactorAt: input.secondFactor ? new Date() : null,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
    },
  });
}

/** A sign-in that succeeded: its session row, the user's last sign-in and the audit record, together. */
export async function openAuthSession(
  ctx: Ctx & { actor: { type: "user" } },
  details: { via: "password" | "oidc"; secondFactor?: "totp" | "recovery" | "passkey" },
) {
  const userId = ctx.actor.id;
  return audited(ctx, async (tx) => {
    const created = await createAuthSession({ userId, ip: ctx.ip, userAgent: ctx.userAgent, secondFactor: details.secondFactor !== undefined }, tx);
    await tx.user.update({ where: { id: userId }, data: { lastSignInAt: created.createdAt } });
    return { result: created, audit: { action: "auth.sign_in", details: { session: created.id, ...details } } };
  });
}

/** The session (the one a person is using, when known) just proved its second factor: re-checks count from now. */
export async function markSecondFactorProved(sessionId: string | null, userId: string, db: Prisma.TransactionClient = getPrisma()) {
  if (sessionId) await db.authSession.updateMany({ where: { id: sessionId, userId }, data: { secondFactorAt: new Date() } });
}

export async function deleteAuthSession(sid: unknown, db: Prisma.TransactionClient = getPrisma()) {
  if (typeof sid === "string") await db.authSession.deleteMany({ where: { id: sid } });
}

export type SessionUser = { id: string; email: string; name: string | null; role: "admin" | "user" };

/** The AuthSession row a session cookie's value names, if it is Warren's. */
export async function sessionIdOf(token: string | undefined | null): Promise<string | null> {
  if (!token) return null;
  const payload = await decode({ token, secret: getConfig().authSecret }).catch(() => null);
  return typeof payload?.sid === "string" ? payload.sid : null;
}

/** A valid session: its user, its row's id, its second factor (whether the user has one, when the session last
 *  proved it), and whether Warren makes the user set one up before anything else. */
export type ValidSession = {
  user: SessionUser;
  sid: string;
  secondFactor: { enrolled: boolean; provedAt: Date | null };
  needsSecondFactorSetup: boolean;
};

/** The session behind a session cookie's value, or null for anything not currently valid. */
export async function sessionFromToken(token: string | undefined | null): Promise<ValidSession | null> {
  const sid = await sessionIdOf(token);
  if (!sid) return null;
  const session = await getPrisma().authSession.findUnique({
    where: { id: sid },
    select: {
      expiresAt: true,
      secondFactorAt: true,
      user: { select: { id: true, email: true, name: true, role: true, disabled: true, oidcIssuer: true, ...secondFactorSelect } },
    },
  });
  if (!session || session.expiresAt.getTime() <= Date.now() || session.user.disabled) return null;
  const { id, email, name, role, oidcIssuer } = session.user;
  const enrolled = hasSecondFactor(session.user);
  return {
    user: { id, email, name, role },
    sid,
    secondFactor: { enrolled, provedAt: session.secondFactorAt },
    needsSecondFactorSetup: !enrolled && secondFactorRequired({ role, oidcIssuer }),
  };
}

/** The user behind a session cookie's value, or null for anything not currently valid. */
export async function userFromSessionToken(token: string | undefined | null): Promise<SessionUser | null> {
  return (await sessionFromToken(token))?.user ?? null;
}
