"use client";

// One socket.io connection per tab, authenticated by the session cookie.
// Pages subscribe with useTunnelEvents and its siblings; every payload is validated against
// the shared schemas before it reaches them, and a reconnect asks them to
// resynchronise (events sent while offline are not replayed).
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";
import type { z } from "zod";
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
  type ServerToClientEvents,
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

/** Hands `handle` each payload of `event` that matches `schema` (anything else is dropped); returns the unsubscribe. */
function listen<T>(socket: Socket, event: keyof ServerToClientEvents, schema: z.ZodType<T>, handle: (data: T) => void): () => void {
  const handler = (payload: unknown) => {
    const parsed = schema.safeParse(payload);
    if (parsed.success) handle(parsed.data);
  };
  socket.on(event, handler);
  return () => {
    socket.off(event, handler);
  };
}

/** Handlers kept in a ref, so a page may pass new ones on every render without subscribing again. */
function useLatest<T>(value: T) {
  const latest = useRef(value);
  latest.current = value;
  return latest;
}

/** Subscriptions made while the socket lives (`subscribe` answers their unsubscribes), ended with it. */
function useSubscriptions(subscribe: (socket: Socket) => (() => void)[]) {
  const { socket } = useRealtime();
  const latest = useLatest(subscribe);
  useEffect(() => {
    if (!socket) return;
    const unsubscribes = latest.current(socket);
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }, [socket, latest]);
}

type TunnelHandlers = {
  onStatus?: (event: TunnelStatusEvent) => void;
  onStats?: (event: TunnelStatsEvent) => void;
  /** Something a status event does not carry changed (sharing, participants, expiry, node): reload it. */
  onChanged?: (event: TunnelChangedEvent) => void;
  /** After a reconnect: reload whatever the page shows. */
  onResync?: () => void;
};

export function useTunnelEvents(handlers: TunnelHandlers) {
  const latest = useLatest(handlers);
  useSubscriptions((socket) => [
    listen(socket, "tunnel:status", tunnelStatusEventSchema, (event) => latest.current.onStatus?.(event)),
    listen(socket, "tunnel:stats", tunnelStatsBatchSchema, ({ tunnels }) => {
      for (const stats of tunnels) latest.current.onStats?.(stats);
    }),
    listen(socket, "tunnel:changed", tunnelChangedEventSchema, (event) => latest.current.onChanged?.(event)),
    onReconnect(socket, () => latest.current.onResync?.()),
  ]);
}

/** New audit records, oldest first, for admins (the server sends them to no one else). */
export function useAuditEvents(onNew: (records: AuditNewEvent[]) => void) {
  const latest = useLatest(onNew);
  useSubscriptions((socket) => [listen(socket, "audit:new", auditNewBatchSchema, ({ records }) => latest.current(records))]);
}

type RequestHandlers = {
  /** A request the viewer may decide (approvers only). */
  onNew?: (event: RequestNewEvent) => void;
  /** A request decided, expired or withdrawn: approvers and its requester hear it. */
  onResolved?: (event: RequestResolvedEvent) => void;
};

/** Approval requests arriving and being settled. */
export function useRequestEvents(handlers: RequestHandlers) {
  const latest = useLatest(handlers);
  useSubscriptions((socket) => [
    listen(socket, "request:new", requestNewEventSchema, (event) => latest.current.onNew?.(event)),
    listen(socket, "request:resolved", requestResolvedEventSchema, (event) => latest.current.onResolved?.(event)),
  ]);
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
  const latest = useLatest(handlers);
  useSubscriptions((socket) => [
    listen(socket, "notification:new", notificationNewEventSchema, (event) => latest.current.onNew?.(event)),
    listen(socket, "notification:read", notificationReadEventSchema, ({ unread }) => latest.current.onRead?.(unread)),
    onReconnect(socket, () => latest.current.onResync?.()),
  ]);
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
