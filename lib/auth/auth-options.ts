import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { clientInfo } from "@/lib/auth/client-info";
import { failureAudit } from "@/lib/auth/failure-audit";
import { oidcSignIn } from "@/lib/auth/oidc-sign-in";
import { recordAudit } from "@/lib/audit/audit-log";
import { verifyPassword } from "@/lib/auth/password";
import { proveAtSignIn } from "@/lib/auth/second-factor";
import { reserveSignIn, signInSucceeded } from "@/lib/auth/sign-in-limits";
import { deleteAuthSession, openAuthSession, SESSION_MAX_AGE_SECONDS, sessionCookieName } from "@/lib/auth/sessions";
import { getConfig, type OidcConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { oidcIdentity } from "@/lib/validation/oidc-claims";
import { signInSchema } from "@/lib/validation/users";

function tooManyAttempts(waitMs: number): Error {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return new Error(`Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
}

async function authorize(credentials: Record<string, string> | undefined, headers: Record<string, string | string[] | undefined>) {
  const parsed = signInSchema.safeParse(credentials ?? {});
  if (!parsed.success) return null;
  const { email, password, code, passkey } = parsed.data;
  const { ip, userAgent } = clientInfo(headers);
  const ctx: Ctx = { actor: { type: "system", name: "sign-in" }, ip, userAgent };
  const failed = (reason: string) => recordAudit(ctx, { action: "auth.sign_in_failed", details: { email, reason } });
  const wait = reserveSignIn({ email, ip });
  if (wait > 0) {
    // Refusals cost an attacker nothing: audited a few a minute, then counted.
    await failureAudit().record(ctx, { action: "auth.sign_in_failed", group: { reason: "rate limited" }, details: { email } });
    throw tooManyAttempts(wait);
  }

  const user = await getPrisma().user.findUnique({ where: { email }, include: { _count: { select: { passkeys: true } } } });
  const valid = await verifyPassword(user?.passwordHash, password);
  // One answer (null → "Invalid email or password") for an unknown email, a
  // wrong password and a disabled account, so none of them can be probed.
  if (!user || !valid || user.disabled) {
    await failed(!user ? "unknown email" : user.disabled ? "account disabled" : "wrong password");
    return null;
  }
  // With password sign-in off, only admins keep it: the break-glass way in when the identity provider is down.
  const { oidc, passwordLogin } = getConfig();
  if (!passwordLogin && user.role !== "admin") {
    await failed("password sign-in is off");
    throw new Error(`Password sign-in is off on this server: sign in with ${oidc?.name}.`);
  }
  // The second factor, once the password is right: asked for, then checked (a wrong code counts as a failed sign-in).
  const secondFactor = await proveAtSignIn(ctx, user, { code, passkey });
  signInSucceeded({ email, ip });
  const signedIn = { actor: { type: "user" as const, id: user.id, email: user.email, role: user.role }, ip, userAgent };
  const session = await openAuthSession(signedIn, { via: "password", ...(secondFactor ? { secondFactor } : {}) });
  return { id: user.id, email: user.email, name: user.name, role: user.role, sid: session.id };
}

/** next-auth's OpenID Connect support: discovery, PKCE, state and nonce, and the ID token's checks are its own. */
function oidcProvider(oidc: OidcConfig): OAuthConfig<Record<string, unknown>> {
  return {
    id: "oidc",
    name: oidc.name,
    type: "oauth",
    wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    authorization: { params: { scope: oidc.scopes } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    // Only next-auth's placeholder: the signIn callback replaces it with Warren's user.
    profile: (claims) => ({ id: String(claims.sub), email: typeof claims.email === "string" ? claims.email : null }),
  };
}

/** Provisions the person behind a validated ID token; a refusal becomes an `?error=` code on the sign-in page. */
async function signInWithOidc(user: { id: string; email?: string | null }, claims: Record<string, unknown>, request: Request, oidc: OidcConfig) {
  const identity = oidcIdentity(claims, oidc.groupsClaim);
  if ("missing" in identity) return `/login?error=${identity.missing === "email" ? "SsoNoEmail" : "OAuthCallback"}`;
  const ctx: Ctx = { actor: { type: "system", name: "single sign-on" }, ...clientInfo(request.headers) };
  const outcome = await oidcSignIn({ ctx, input: { identity, config: oidc } });
  if ("refused" in outcome) return `/login?error=${outcome.refused}`;
  // next-auth builds its token from this object: make it Warren's user and session.
  Object.assign(user, { id: outcome.user.id, email: outcome.user.email, name: outcome.user.name, sid: outcome.sid });
  return true;
}

/** `request`: the one being answered, for the address a single sign-on comes from. */
export function authOptions(request: Request): NextAuthOptions {
  const config = getConfig();
  const secure = config.publicUrl.startsWith("https://");
  return {
    secret: config.authSecret,
    useSecureCookies: secure,
    cookies: {
      sessionToken: { name: sessionCookieName(), options: { httpOnly: true, sameSite: "lax", path: "/", secure } },
    },
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      // Kept with password sign-in off, for admins only (see authorize).
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authorize(credentials, req.headers ?? {}),
      }),
      ...(config.oidc ? [oidcProvider(config.oidc)] : []),
    ],
    callbacks: {
      signIn({ user, account, profile }) {
        if (account?.provider !== "oidc" || !config.oidc) return true;
        return signInWithOidc(user, (profile ?? {}) as Record<string, unknown>, request, config.oidc);
      },
      jwt({ token, user }) {
        // `user` is only present right after a sign-in: remember its session row.
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
