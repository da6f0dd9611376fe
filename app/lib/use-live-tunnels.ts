"use client";

// Keeps a set of tunnels current from socket.io events: status changes and
// counters in place, a throughput history per tunnel for sparklines, and a
// full reload after a reconnect, when a tunnel it does not know appears, when
// one's sharing or participants change, or
// when an extension of one of its tunnels is asked for or settled (that
// changes no status; a request to open one is settled by status events, which
// also keep a denied request on the list with its reason).
import { useCallback, useRef, useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import { useRequestEvents, useTunnelEvents } from "@/app/lib/realtime-provider";
import type { TunnelDto } from "@/lib/tunnels/tunnels";

const SAMPLES = 30;

type Rate = { at: number; bytes: number; history: number[] };

export function useLiveTunnels(initial: TunnelDto[], reload: () => Promise<TunnelDto[]>) {
  const [tunnels, setTunnels] = useState(initial);
  // New data from the server (a navigation such as "Show ended tunnels too") replaces what is shown.
  const [given, setGiven] = useState(initial);
  if (given !== initial) {
    setGiven(initial);
    setTunnels(initial);
  }
  const [rates, setRates] = useState<Record<string, Rate>>({});
  // Totals as first loaded: the baseline for a tunnel's first rate sample.
  const loadedTotals = useRef(new Map(initial.map((tunnel) => [tunnel.id, { at: Date.now(), bytes: tunnel.bytesIn + tunnel.bytesOut }])));

  const resync = useCallback(() => {
    void reload().then(setTunnels, () => {});
  }, [reload]);

  useTunnelEvents({
    onStatus: (event) => {
      setTunnels((current) => {
        const known = current.find((tunnel) => tunnel.id === event.tunnelId);
        // Unknown, or just approved: an approved tunnel's time starts now, so its expiry is new too.
        if (!known || known.status === "pending_approval") {
          resync();
          if (!known) return current;
        }
        return current.map((tunnel) => (tunnel.id === event.tunnelId ? { ...tunnel, status: event.status, statusReason: event.reason } : tunnel));
      });
    },
    onStats: (event) => {
      const now = Date.now();
      setRates((current) => {
        const previous = current[event.tunnelId] ?? loadedTotals.current.get(event.tunnelId);
        const total = event.bytesIn + event.bytesOut;
        const perSecond = previous ? Math.max(0, (total - previous.bytes) / Math.max(1, (now - previous.at) / 1000)) : 0;
        const history = [...(current[event.tunnelId]?.history ?? []), perSecond].slice(-SAMPLES);
        return { ...current, [event.tunnelId]: { at: now, bytes: total, history } };
      });
      setTunnels((current) => current.map((tunnel) => (tunnel.id === event.tunnelId ? { ...tunnel, ...event, id: tunnel.id } : tunnel)));
    },
    onChanged: resync,
    onResync: resync,
  });

  const known = useRef(tunnels);
  known.current = tunnels;
  const reloadIfKnown = ({ tunnelId, type }: { tunnelId: string; type: "tunnel" | "extension" }) => {
    if (type === "extension" && known.current.some((tunnel) => tunnel.id === tunnelId)) resync();
  };
  useRequestEvents({ onNew: reloadIfKnown, onResolved: reloadIfKnown });

  /** A tunnel as an action answered it: shown at once, even if the viewer may not load it again. */
  const replace = useCallback((fresh: TunnelDto) => {
    setTunnels((current) => current.map((tunnel) => (tunnel.id === fresh.id ? fresh : tunnel)));
  }, []);

  return { tunnels, rates, resync, replace };
}

/** Rows a list asks for at a time. */
export const PAGE = 100;

/** The first `count` items (at least a page) of a paged list, following its nextCursor. */
export async function fetchPages(path: string, key: "tunnels" | "requests", count: number): Promise<{ items: TunnelDto[]; more: boolean }> {
  const items: TunnelDto[] = [];
  let cursor: string | null = null;
  do {
    const query = `limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const body: Record<string, unknown> & { nextCursor: string | null } = await apiFetch(`${path}${path.includes("?") ? "&" : "?"}${query}`);
    items.push(...(body[key] as TunnelDto[]));
    cursor = body.nextCursor;
  } while (cursor && items.length < count);
  return { items, more: cursor !== null };
}

/** Reloads as many tunnels as `wanted()` says are shown; `onMore` hears whether there are more. */
export const reloadTunnels = (query: string, wanted: () => number, onMore: (more: boolean) => void) => async () => {
  const { items, more } = await fetchPages(`/tunnels${query}`, "tunnels", wanted());
  onMore(more);
  return items;
};
