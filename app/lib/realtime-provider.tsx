"use client";

// One socket.io connection per tab, authenticated by the session cookie.
// Pages subscribe with useTunnelEvents and its siblings; every payload is validated against
// the shared schemas before it reaches them, and a reconnect asks them to
// resynchronise (events sent while offline are not replayed).
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";
import {
  auditNewBatchSchema,
  notificationNewEventSchema,
  notificationReadEventSchema,
  requestNewEventSchema,
  requestResolvedEventSchema,
  tunnelChangedEventSchema,
  tunnelStatsBatchSchema,
  tunnelStatusEventSchema,
  type AuditNewEvent,
  type NotificationNewEvent,
  type RequestNewEvent,
  type RequestResolvedEvent,
  type TunnelChangedEvent,
  type TunnelStatsEvent,
  type TunnelStatusEvent,
} from "@/lib/realtime/events";

type Realtime = { socket: Socket | null; connected: boolean; everConnected: boolean };

const RealtimeContext = createContext<Realtime>({ socket: null, connected: false, everConnected: false });

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<Realtime>({ socket: null, connected: false, everConnected: false });
  useEffect(() => {
    // WebSocket only: no long-polling requests that a load balancer would have to send to the same node.
    const socket = io({ withCredentials: true, transports: ["websocket"] });
    const update = () => setState((previous) => ({ socket, connected: socket.connected, everConnected: previous.everConnected || socket.connected }));
    socket.on("connect", update);
    // Signed out elsewhere, disabled, or revoked: this page shows nothing any more.
    socket.on("session:ended", () => window.location.assign("/login"));
    socket.on("disconnect", (reason) => {
      update();
      // socket.io does not retry after a server-side disconnect; a dashboard
      // should (if the session has ended, the handshake is refused).
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 2_000);
    });
    update();
    return () => {
      socket.close();
    };
  }, []);
  return <RealtimeContext.Provider value={state}>{children}</RealtimeContext.Provider>;
}

function useRealtime(): Realtime {
  return useContext(RealtimeContext);
}

/** Calls `resync` on every connect after the first (events sent while offline are lost); returns the unsubscribe. */
function onReconnect(socket: Socket, resync: () => void): () => void {
  let connectedBefore = socket.connected;
  const onConnect = () => {
    if (connectedBefore) resync();
    connectedBefore = true;
  };
  socket.on("connect", onConnect);
  return () => {
    socket.off("connect", onConnect);
  };
}

type TunnelHandlers = {
  onStatus?: (event: TunnelStatusEvent) => void;
  onStats?: (event: TunnelStatsEvent) => void;
  /** Its sharing or participants changed: reload it. */
  onChanged?: (event: TunnelChangedEvent) => void;
  /** After a reconnect: reload whatever the page shows. */
  onResync?: () => void;
};

export function useTunnelEvents(handlers: TunnelHandlers) {
  const { socket } = useRealtime();
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!socket) return;
    const onStatus = (payload: unknown) => {
      const parsed = tunnelStatusEventSchema.safeParse(payload);
      if (parsed.success) latest.current.onStatus?.(parsed.data);
    };
    const onStats = (payload: unknown) => {
      const parsed = tunnelStatsBatchSchema.safeParse(payload);
      if (parsed.success) for (const stats of parsed.data.tunnels) latest.current.onStats?.(stats);
    };
    const onChanged = (payload: unknown) => {
      const parsed = tunnelChangedEventSchema.safeParse(payload);
      if (parsed.success) latest.current.onChanged?.(parsed.data);
    };
    socket.on("tunnel:status", onStatus);
    socket.on("tunnel:stats", onStats);
    socket.on("tunnel:changed", onChanged);
    const offReconnect = onReconnect(socket, () => latest.current.onResync?.());
    return () => {
      socket.off("tunnel:status", onStatus);
      socket.off("tunnel:stats", onStats);
      socket.off("tunnel:changed", onChanged);
      offReconnect();
    };
  }, [socket]);
}

/** New audit records, oldest first, for admins (the server sends them to no one else). */
export function useAuditEvents(onNew: (records: AuditNewEvent[]) => void) {
  const { socket } = useRealtime();
  const latest = useRef(onNew);
  latest.current = onNew;
  useEffect(() => {
    if (!socket) return;
    const handler = (payload: unknown) => {
      const parsed = auditNewBatchSchema.safeParse(payload);
      if (parsed.success) latest.current(parsed.data.records);
    };
    socket.on("audit:new", handler);
    return () => {
      socket.off("audit:new", handler);
    };
  }, [socket]);
}

type RequestHandlers = {
  /** A request the viewer may decide (approvers only). */
  onNew?: (event: RequestNewEvent) => void;
  /** A request decided, expired or withdrawn: approvers and its requester hear it. */
  onResolved?: (event: RequestResolvedEvent) => void;
};

/** Approval requests arriving and being settled. */
export function useRequestEvents(handlers: RequestHandlers) {
  const { socket } = useRealtime();
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!socket) return;
    const onNew = (payload: unknown) => {
      const parsed = requestNewEventSchema.safeParse(payload);
      if (parsed.success) latest.current.onNew?.(parsed.data);
    };
    const onResolved = (payload: unknown) => {
      const parsed = requestResolvedEventSchema.safeParse(payload);
      if (parsed.success) latest.current.onResolved?.(parsed.data);
    };
    socket.on("request:new", onNew);
    socket.on("request:resolved", onResolved);
    return () => {
      socket.off("request:new", onNew);
      socket.off("request:resolved", onResolved);
    };
  }, [socket]);
}

type NotificationHandlers = {
  /** Something new for the viewer, with how many they have not read. */
  onNew?: (event: NotificationNewEvent) => void;
  /** They read some (here, in another tab or browser): how many are left. */
  onRead?: (unread: number) => void;
  /** After a reconnect: fetch the count and list again. */
  onResync?: () => void;
};

/** The viewer's own notifications, for the bell. */
export function useNotificationEvents(handlers: NotificationHandlers) {
  const { socket } = useRealtime();
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!socket) return;
    const onNew = (payload: unknown) => {
      const parsed = notificationNewEventSchema.safeParse(payload);
      if (parsed.success) latest.current.onNew?.(parsed.data);
    };
    const onRead = (payload: unknown) => {
      const parsed = notificationReadEventSchema.safeParse(payload);
      if (parsed.success) latest.current.onRead?.(parsed.data.unread);
    };
    socket.on("notification:new", onNew);
    socket.on("notification:read", onRead);
    const offReconnect = onReconnect(socket, () => latest.current.onResync?.());
    return () => {
      socket.off("notification:new", onNew);
      socket.off("notification:read", onRead);
      offReconnect();
    };
  }, [socket]);
}

/** The current time, refreshed every `intervalMs`, for countdowns. */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function ConnectionIndicator() {
  const { connected, everConnected } = useRealtime();
  return (
    <span role="status" className="flex items-center gap-1 text-xs text-zinc-600 dark:text-zinc-400" data-testid="live-indicator">
      <span aria-hidden className={`h-2 w-2 rounded-full ${connected ? "bg-emerald-500" : "bg-amber-500"}`} />
      {connected ? "live" : everConnected ? "reconnecting…" : "connecting…"}
    </span>
  );
}
