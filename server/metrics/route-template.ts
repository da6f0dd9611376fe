// The label a request is measured under: the route template Next built it
// from (`/api/v1/tunnels/[id]`), never the path itself, so ids do not become
// series. Templates come from Next's build (routes-manifest.json); what no
// route of Warren's answers is "other".
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import { appHostOf } from "@/lib/apps/app-address";
import type { WarrenConfig } from "@/lib/config";

type Manifest = { staticRoutes: { page: string }[]; dynamicRoutes: { page: string; regex: string }[] };

type RouteTemplate = (pathname: string) => string;

/** Warren's own prefixes that are not Next routes, matched first. */
const PREFIXES: [string, string][] = [
  ["/socket.io/", "/socket.io"],
  ["/_next/", "/_next"],
  ["/cli/", "/cli"],
];

function routeTemplates(nextDir: string): RouteTemplate {
  const file = path.join(nextDir, "routes-manifest.json");
  const manifest: Manifest = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { staticRoutes: [], dynamicRoutes: [] };
  const statics = new Set(manifest.staticRoutes.map((route) => route.page));
  const dynamics = manifest.dynamicRoutes.map((route) => ({ page: route.page, regex: new RegExp(route.regex) }));
  return (pathname) => {
    const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
    if (statics.has(trimmed)) return trimmed;
    const prefix = PREFIXES.find(([start]) => pathname.startsWith(start));
    if (prefix) return prefix[1];
    return dynamics.find((route) => route.regex.test(pathname))?.page ?? "other";
  };
}

let templateOf: RouteTemplate | undefined;

/** The request's route template; "app" for a web app's host (WARREN_APPS_DOMAIN). */
export function routeOf(req: IncomingMessage, config: WarrenConfig): string {
  if (appHostOf(req.headers.host, config)) return "app";
  templateOf ??= routeTemplates(path.resolve(import.meta.dirname, "../../.next"));
  return templateOf(new URL(req.url ?? "/", "http://warren").pathname);
}
