"use client";

// How many of the viewer's tunnels need their attention, kept live: fetched
// again whenever a tunnel's status, sharing or expiry changes, after a
// reconnect, and on each navigation; counted against the
// clock, so a tunnel entering its last 10 minutes counts without any event.
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import { useNow, useTunnelEvents } from "@/app/lib/realtime-provider";
import { attentionCount, type TunnelAttention } from "@/lib/tunnels/attention-count";

export function useTunnelAttention(initial: TunnelAttention): number {
  const [attention, setAttention] = useState(initial);
  // A new render from the server (router.refresh()) replaces what is counted.
  const [given, setGiven] = useState(initial);
  if (given !== initial) {
    setGiven(initial);
    setAttention(initial);
  }
  const now = useNow(15_000);

  // One request at a time: a burst of status events (an admin hears everyone's) asks for one more at most.
  const fetching = useRef(false);
  const again = useRef(false);
  const refresh = useRef(() => {
    if (fetching.current) {
      again.current = true;
      return;
    }
    fetching.current = true;
    void apiFetch<TunnelAttention>("/me/tunnel-attention")
      .then(setAttention, () => {})
      .finally(() => {
        fetching.current = false;
        if (again.current) {
          again.current = false;
          refresh.current();
        }
      });
  });

  useTunnelEvents({ onStatus: () => refresh.current(), onChanged: () => refresh.current(), onResync: () => refresh.current() });

  const pathname = usePathname();
  const shownPath = useRef(pathname);
  useEffect(() => {
    if (pathname === shownPath.current) return;
    shownPath.current = pathname;
    refresh.current();
  }, [pathname]);

  return attentionCount(attention, now);
}
