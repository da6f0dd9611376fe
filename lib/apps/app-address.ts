// Where a web tunnel's app is served: a host of its own under the apps
// domain, `<slug>.<WARREN_APPS_DOMAIN>`, with the scheme and port of Warren's
// public URL. A subdomain each, not a path under Warren: the app's own
// JavaScript runs on its own origin and cannot call Warren's API as the
// person using it.
import type { WarrenConfig } from "@/lib/config";

type AppsConfig = Pick<WarrenConfig, "appsDomain" | "publicUrl">;

/** The app host's origin for `slug`, e.g. https://grafana.apps.example.com; null when web tunnels are off. */
export function appOrigin(slug: string, config: AppsConfig): string | null {
  if (!config.appsDomain) return null;
  const url = new URL(config.publicUrl);
  url.hostname = `${slug}.${config.appsDomain}`;
  return url.origin;
}

/** What a request's Host header names: an app (its slug), somewhere else under the apps domain, or not the apps domain at all. */
export type AppHost = { slug: string } | { unknown: true } | null;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function appHostOf(hostHeader: string | undefined, config: AppsConfig): AppHost {
  if (!config.appsDomain || !hostHeader) return null;
  const match = /^([^:[\]]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  if (!match) return null;
  const name = match[1]!.replace(/\.$/, "");
  const domain = config.appsDomain;
  if (name !== domain && !name.endsWith(`.${domain}`)) return null;
  const slug = name.slice(0, -domain.length - 1);
  const publicUrl = new URL(config.publicUrl);
  const port = match[2] ?? "";
  const expectedPort = publicUrl.port;
  // The apps domain is all Warren's: a name under it that is no app's, or on another port, is refused, never served as Warren.
  if (!LABEL.test(slug) || port !== expectedPort) return { unknown: true };
  return { slug };
}
