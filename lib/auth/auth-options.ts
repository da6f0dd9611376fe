import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { clientInfo } from "@/lib/auth/client-info";
import { failureAudit } from "@/lib/auth/failure-audit";
import { audited, recordAudit } from "@/lib/audit/audit-log";
import { verifyPassword } from "@/lib/auth/password";
import { reserveSignIn, signInSucceeded } from "@/lib/auth/sign-in-limits";
import { createAuthSession, deleteAuthSession, SESSION_MAX_AGE_SECONDS, sessionCookieName } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { signInSchema } from "@/lib/validation/users";

function tooManyAttempts(waitMs: number): Error {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return new Error(`Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
}

async function authorize(credentials: Record<string, string> | undefined, headers: Record<string, string | string[] | undefined>) {
  const parsed = signInSchema.safeParse(credentials ?? {});
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const { ip, userAgent } = clientInfo(headers);
  const ctx: Ctx = { actor: { type: "system", name: "sign-in" }, ip, userAgent };
  const failed = (reason: string) => recordAudit(ctx, { action: "auth.sign_in_failed", details: { email, reason } });
  const wait = reserveSignIn({ email, ip });
  if (wait > 0) {
    // Refusals cost an attacker nothing: audited a few a minute, then counted.
    await failureAudit().record(ctx, { action: "auth.sign_in_failed", group: { reason: "rate limited" }, details: { email } });
    throw tooManyAttempts(wait);
  }

  const user = await getPrisma().user.findUnique({ where: { email } });
  const valid = await verifyPassword(user?.passwordHash, password);
  // One answer (null → "Invalid email or password") for an unknown email, a
  // wrong password and a disabled account, so none of them can be probed.
  if (!user || !valid || user.disabled) {
    await failed(!user ? "unknown email" : user.disabled ? "account disabled" : "wrong password");
    return null;
  }
  signInSucceeded({ email, ip });
  const signedIn: Ctx = { actor: { type: "user", id: user.id, email: user.email, role: user.role }, ip, userAgent };
  const session = await audited(signedIn, async (tx) => {
    const created = await createAuthSession({ userId: user.id, ip, userAgent }, tx);
    return { result: created, audit: { action: "auth.sign_in", details: { session: created.id } } };
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role, sid: session.id };
}

export function authOptions(): NextAuthOptions {
  const config = getConfig();
  return {
    secret: config.authSecret,
    useSecureCookies: config.publicUrl.startsWith("https://"),
    cookies: {
      sessionToken: {
        name: sessionCookieName(),
        options: { httpOnly: true, sameSite: "lax", path: "/", secure: config.publicUrl.startsWith("https://") },
      },
    },
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authorize(credentials, req.headers ?? {}),
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        // `user` is only present right after authorize(): remember its session row.
        if (user && "sid" in user) token.sid = user.sid;
        return token;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sub === "string" && typeof token.email === "string") {
          // The audit keeps the actor's id and email; the role is not part of the record.
          const actor = { type: "user" as const, id: token.sub, email: token.email, role: "user" as const };
          await recordAudit({ actor }, { action: "auth.sign_out", details: { session: token.sid } }, (tx) => deleteAuthSession(token.sid, tx));
        } else {
          await deleteAuthSession(token?.sid);
        }
      },
    },
  };
}
