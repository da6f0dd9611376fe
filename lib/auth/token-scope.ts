// What a token's scope lets it do, checked on every route and socket:
// `read` reads; `tunnels` also opens, changes and closes tunnels (and signs
// its own device out); `admin` does all its owner may. Deciding on others'
// requests (approve, deny) is not tunnel work: it needs `admin`.
import type { TokenScope } from "@/lib/generated/prisma/enums";

export const TOKEN_SCOPES = ["read", "tunnels", "admin"] as const satisfies readonly TokenScope[];

const READS = new Set(["GET", "HEAD", "OPTIONS"]);
const RANK: Record<TokenScope, number> = { read: 0, tunnels: 1, admin: 2 };

/** The scope a request to `/api/v1<path>` needs. */
export function scopeNeeded(method: string, pathname: string): TokenScope {
  if (READS.has(method.toUpperCase())) return "read";
  const path = pathname.replace(/^\/api\/v1(?=\/|$)/, "").replace(/\/+$/, "");
  if (path === "/devices/current") return "tunnels";
  if (/^\/tunnels\/[^/]+\/(approve|deny)$/.test(path)) return "admin";
  return path === "/tunnels" || path.startsWith("/tunnels/") ? "tunnels" : "admin";
}

export function scopeAllows(granted: TokenScope, needed: TokenScope): boolean {
  return RANK[granted] >= RANK[needed];
}
