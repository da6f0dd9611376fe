// Resolves who is calling the API: a bearer token (scripts, the CLI) or the
// next-auth session cookie (the browser). Disabled users, revoked tokens and
// ended sessions all come out as "not signed in".
import { parse as parseCookies } from "cookie";
import { ApiError } from "@/lib/api/api-error";
import { userFromApiToken } from "@/lib/auth/api-tokens";
import { clientInfo, type HeaderSource } from "@/lib/auth/client-info";
import { failureAudit } from "@/lib/auth/failure-audit";
import { sessionCookieName, userFromSessionToken, type SessionUser } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";

export type Authenticated = { user: SessionUser; via: "token" | "session" };

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
function assertSameOrigin(req: Request) {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.get("origin");
  if (origin !== getConfig().publicUrl) {
    throw new ApiError({ code: "forbidden", message: "cross-site request refused" });
  }
}

export function sessionTokenFromCookieHeader(cookieHeader: string | null | undefined): string | undefined {
  return cookieHeader ? parseCookies(cookieHeader)[sessionCookieName()] : undefined;
}

/** The user an API token belongs to. A token that is invalid or revoked is
 *  audited with the caller's address and its prefix (a few a minute per
 *  source, then a count), whether it came to the API or to a socket. */
export async function userFromPresentedToken(token: string, headers: HeaderSource, via: "api" | "socket") {
  const user = await userFromApiToken(token);
  if (!user) {
    const ctx: Ctx = { actor: { type: "system", name: via }, ...clientInfo(headers) };
    await failureAudit().record(ctx, { action: "auth.token_failed", details: { prefix: token.slice(0, 10) } });
  }
  return user;
}

export async function authenticate(req: Request): Promise<Authenticated> {
  const token = bearerToken(req.headers);
  if (token) {
    const user = await userFromPresentedToken(token, req.headers, "api");
    if (!user) throw new ApiError({ code: "unauthorized", message: "the API token is invalid or revoked" });
    const { disabled: _disabled, ...rest } = user;
    return { user: rest, via: "token" };
  }
  const user = await userFromSessionToken(sessionTokenFromCookieHeader(req.headers.get("cookie")));
  if (!user) {
    throw new ApiError({ code: "unauthorized", message: "sign in, or send an API token as 'Authorization: Bearer <token>'" });
  }
  assertSameOrigin(req);
  return { user, via: "session" };
}

export function userCtx(user: SessionUser, headers: Headers): Ctx {
  return { actor: { type: "user", id: user.id, email: user.email, role: user.role }, ...clientInfo(headers) };
}
