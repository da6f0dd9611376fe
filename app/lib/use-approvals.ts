"use client";

// The requests the viewer may decide, kept current: any request arriving or
// being settled (by anyone) reloads the list, as does a reconnect.
import { useCallback, useRef, useState } from "react";
import { useRequestEvents, useTunnelEvents } from "@/app/lib/realtime-provider";
import { PAGE, fetchPages } from "@/app/lib/use-live-tunnels";
import type { TunnelDto } from "@/lib/tunnels/tunnels";

/** `loadMore` shows another page; reloads keep as many as are shown. */
export function useApprovals(initial: { requests: TunnelDto[]; nextCursor: string | null }) {
  const [requests, setRequests] = useState(initial.requests);
  const [more, setMore] = useState(initial.nextCursor !== null);
  const wanted = useRef(initial.requests.length);
  const reload = useCallback(() => {
    void fetchPages("/approvals", "requests", wanted.current).then(
      ({ items, more }) => {
        setRequests(items);
        setMore(more);
      },
      () => {},
    );
  }, []);
  const loadMore = useCallback(() => {
    wanted.current += PAGE;
    reload();
  }, [reload]);
  useRequestEvents({ onNew: reload, onResolved: reload });
  useTunnelEvents({ onResync: reload });
  return { requests, reload, more, loadMore };
}
