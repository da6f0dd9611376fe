import type { TunnelDto } from "@/lib/tunnels/tunnels";

const OPEN = new Set(["starting", "active", "reconnecting"]);

/** A web tunnel's app, in a new tab (the app host signs the person in through Warren). */
export function OpenInBrowser({ tunnel }: { tunnel: Pick<TunnelDto, "webUrl" | "status"> }) {
  if (!tunnel.webUrl || !OPEN.has(tunnel.status)) return null;
  return (
    <a
      href={tunnel.webUrl}
      target="_blank"
      rel="noopener noreferrer"
      data-testid="open-in-browser"
      className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700"
    >
      Open in browser
    </a>
  );
}
