// Resolves who is calling the API: a bearer token (scripts, the CLI) or the
// next-auth session cookie (the browser). Disabled users, revoked tokens and
// ended sessions all come out as "not signed in".
import { parse as parseCookies } from "cookie";
import { ApiError } from "@/lib/api/api-error";
import { checkApiToken, type TokenHolder } from "@/lib/auth/api-tokens";
import { clientInfo, type HeaderSource } from "@/lib/auth/client-info";
import { failureAudit } from "@/lib/auth/failure-audit";
import { sessionCookieName, sessionFromToken, type SessionUser, type ValidSession } from "@/lib/auth/sessions";
import { scopeAllows, scopeNeeded } from "@/lib/auth/token-scope";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import type { TokenScope } from "@/lib/generated/prisma/enums";

/** Who is calling, and with what: a browser session, or a token (personal or a device's). */
export type Authenticated = { user: SessionUser } & (
  | ({ via: "session" } & Pick<ValidSession, "sid" | "secondFactor">)
  | { via: "token"; token: TokenHolder["token"] }
);

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function bearerToken(headers: Headers): string | null {
  const value = headers.get("authorization");
  if (!value) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!match?.[1]) throw new ApiError({ code: "unauthorized", message: "Authorization header must be 'Bearer <token>'" });
  return match[1];
}

/** A cookie-authenticated request that changes state must come from Warren's
 *  own pages, served at its public URL: browsers always send Origin on such
 *  requests, so a missing or other one is a cross-site request and is refused.
 *  (The request's own URL is no guide: Next builds it from the listen address.) */
/**
 * A session is used only by Warren's own pages. A browser says where a request comes from in Sec-Fetch-Site,
 * which no page can set: from another site (or a sibling subdomain, such as an app's) even a read is refused,
 * so a link cannot make a signed-in person's browser spend their limits (device codes). Changes also need
 * Warren's own Origin, which covers browsers without Sec-Fetch-Site.
 */
function assertSameOrigin(req: Request) {
  const site = req.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") throw new ApiError({ code: "forbidden", message: "cross-site request refused" });
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.get("origin");
  if (origin !== getConfig().publicUrl) {
    throw new ApiError({ code: "forbidden", message: "cross-site request refused" });
  }
}

export function sessionTokenFromCookieHeader(cookieHeader: string | null | undefined): string | undefined {
  return cookieHeader ? parseCookies(cookieHeader)[sessionCookieName()] : undefined;
}

/** What a presented token is asked to do: the scope it needs, and the request in words for the refusal. */
export type TokenUse = { needed: TokenScope; what: string };

/** The token and its user, if it works and its scope covers `use`; otherwise
 *  the error to answer. A refusal is audited with the caller's address, the
 *  token's prefix and the reason (a few a minute per source and reason, then
 *  a count), whether it came to the API or to a socket. */
export async function presentedToken(token: string, headers: HeaderSource, via: "api" | "socket", use: TokenUse): Promise<TokenHolder | ApiError> {
  const caller = clientInfo(headers);
  const checked = await checkApiToken(token, caller.ip);
  const refuse = async (reason: string, error: ApiError, details: Record<string, unknown> = {}) => {
    const ctx: Ctx = { actor: { type: "system", name: via }, ...caller };
    await failureAudit().record(ctx, { action: "auth.token_failed", group: { reason }, details: { prefix: token.slice(0, 10), ...details } });
    return error;
  };
  if ("refused" in checked) {
    const message =
      checked.refused === "expired"
        ? `the API token expired at ${checked.expiresAt?.toISOString()}: make a new one`
        : "the API token is invalid, expired or revoked";
    return refuse(checked.refused, new ApiError({ code: "unauthorized", message }));
  }
  const { scope } = checked.token;
  if (!scopeAllows(scope, use.needed)) {
    const message = `this token's scope is ${scope}: ${use.what} needs a token with scope ${use.needed}`;
    return refuse("out of scope", new ApiError({ code: "forbidden", message }), { scope, needed: use.needed, what: use.what });
  }
  return checked;
}

export async function authenticate(req: Request): Promise<Authenticated> {
  const token = bearerToken(req.headers);
  if (token) {
    const { pathname } = new URL(req.url);
    const holder = await presentedToken(token, req.headers, "api", { needed: scopeNeeded(req.method, pathname), what: `${req.method} ${pathname}` });
    if (holder instanceof ApiError) throw holder;
    const { disabled: _disabled, ...user } = holder.user;
    return { user, via: "token", token: holder.token };
  }
  const session = await sessionFromToken(sessionTokenFromCookieHeader(req.headers.get("cookie")));
  if (!session) {
    throw new ApiError({ code: "unauthorized", message: "sign in, or send an API token as 'Authorization: Bearer <token>'" });
  }
  assertSameOrigin(req);
  // WARREN_REQUIRE_MFA: until the second factor is set up, a session does only that (the /me routes).
  if (session.needsSecondFactorSetup && !new URL(req.url).pathname.startsWith("/api/v1/me")) {
    throw new ApiError({ code: "second_factor_setup_required", message: "set up a second factor on your Account page first" });
  }
  return { user: session.user, via: "session", sid: session.sid, secondFactor: session.secondFactor };
}

/** For what only a person at Warren's own pages may do (approving a device): a token, even one's own, is refused. */
export function assertSession(via: Authenticated, what: string) {
  if (via.via !== "session") {
    throw new ApiError({ code: "forbidden", message: `${what} needs a browser session: sign in at ${getConfig().publicUrl} and do it there` });
  }
}

export function userCtx(user: SessionUser, headers: Headers): Ctx {
  return { actor: { type: "user", id: user.id, email: user.email, role: user.role }, ...clientInfo(headers) };
}
