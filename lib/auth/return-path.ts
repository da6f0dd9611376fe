// Where a person goes back to after signing in: the page that sent them to
// /login (proxy.ts puts its path on the request), if it is one of Warren's
// own. Anything else, another site's address included, lands on /tunnels.

/** Set by proxy.ts on every page request: the path and query asked for. */
export const PATH_HEADER = "x-warren-path";

const LANDING = "/tunnels";

/** `value` if it is a path on this site to come back to, else null. */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 512) return null;
  // "//evil.example" and "/\evil.example" are other sites to a browser.
  if (!value.startsWith("/") || value.startsWith("//") || /[\\\p{Cc}]/u.test(value)) return null;
  if (value === "/login" || value.startsWith("/login?") || value.startsWith("/api/")) return null;
  return value;
}

/** Where sign-in lands: the page asked for, or the tunnels. */
export const afterSignIn = (next: unknown): string => safeReturnPath(next) ?? LANDING;

/** /login, told where to come back to (unless that is where it lands anyway). */
export function loginPath(returnTo: string | null | undefined): string {
  const path = safeReturnPath(returnTo);
  return path && path !== LANDING ? `/login?next=${encodeURIComponent(path)}` : "/login";
}
