"use client";

// The requests the viewer may decide, kept current: any request arriving or
// being settled (by anyone) reloads the list, as does a reconnect.
import { useCallback, useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import { useRequestEvents, useTunnelEvents } from "@/app/lib/realtime-provider";
import type { TunnelDto } from "@/lib/tunnels/tunnels";

export function useApprovals(initial: TunnelDto[]) {
  const [requests, setRequests] = useState(initial);
  const reload = useCallback(() => {
    void apiFetch<{ requests: TunnelDto[] }>("/approvals").then((body) => setRequests(body.requests), () => {});
  }, []);
  useRequestEvents({ onNew: reload, onResolved: reload });
  useTunnelEvents({ onResync: reload });
  return { requests, reload };
}
