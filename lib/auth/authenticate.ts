// Resolves who is calling the API: a bearer token (scripts, the CLI) or the
// next-auth session cookie (the browser). Disabled users, revoked tokens and
// ended sessions all come out as "not signed in".
import { parse as parseCookies } from "cookie";
import { ApiError } from "@/lib/api/api-error";
import { tokenHolder, type TokenHolder } from "@/lib/auth/api-tokens";
import { clientInfo, type HeaderSource } from "@/lib/auth/client-info";
import { failureAudit } from "@/lib/auth/failure-audit";
import { sessionCookieName, userFromSessionToken, type SessionUser } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";

/** Who is calling, and with what: a browser session, or a token (personal or a device's). */
export type Authenticated = { user: SessionUser } & ({ via: "session" } | { via: "token"; token: TokenHolder["token"] });

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

/** The token and its user. A token that is invalid, expired or revoked is
 *  audited with the caller's address and its prefix (a few a minute per
 *  source, then a count), whether it came to the API or to a socket. */
export async function presentedToken(token: string, headers: HeaderSource, via: "api" | "socket"): Promise<TokenHolder | null> {
  const caller = clientInfo(headers);
  const holder = await tokenHolder(token, caller.ip);
  if (!holder) {
    const ctx: Ctx = { actor: { type: "system", name: via }, ...caller };
    await failureAudit().record(ctx, { action: "auth.token_failed", details: { prefix: token.slice(0, 10) } });
  }
  return holder;
}

/** The user an API token belongs to (see presentedToken). */
export async function userFromPresentedToken(token: string, headers: HeaderSource, via: "api" | "socket") {
  return (await presentedToken(token, headers, via))?.user ?? null;
}

export async function authenticate(req: Request): Promise<Authenticated> {
  const token = bearerToken(req.headers);
  if (token) {
    const holder = await presentedToken(token, req.headers, "api");
    if (!holder) throw new ApiError({ code: "unauthorized", message: "the API token is invalid, expired or revoked" });
    const { disabled: _disabled, ...user } = holder.user;
    return { user, via: "token", token: holder.token };
  }
  const user = await userFromSessionToken(sessionTokenFromCookieHeader(req.headers.get("cookie")));
  if (!user) {
    throw new ApiError({ code: "unauthorized", message: "sign in, or send an API token as 'Authorization: Bearer <token>'" });
  }
  assertSameOrigin(req);
  return { user, via: "session" };
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
