// The socket.io events Warren sends, in one place for the server and the
// browser. Payloads are zod schemas so the receiving side can validate them.
import { z } from "zod";
import { NOTIFICATION_KIND_NAMES } from "@/lib/notifications/notification-kinds";

const tunnelStatus = z.enum(["requested", "pending_approval", "starting", "active", "reconnecting", "closed", "failed", "denied", "expired"]);

export const tunnelStatusEventSchema = z.object({
  tunnelId: z.string(),
  status: tunnelStatus,
  reason: z.string().nullable(),
  at: z.string(),
});
export type TunnelStatusEvent = z.infer<typeof tunnelStatusEventSchema>;

export const tunnelStatsEventSchema = z.object({
  tunnelId: z.string(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  connections: z.number(),
  connectionsTotal: z.number(),
  /** A tunnel to its owner's computer: whether their `warren expose` client holds it now. */
  clientAttached: z.boolean().optional(),
  /** When it closes if nothing goes through it meanwhile (null: no idle limit, or a connection is open). */
  idleClosesAt: z.string().nullable().optional(),
});
export type TunnelStatsEvent = z.infer<typeof tunnelStatsEventSchema>;

/** Once a second, one frame per socket with every tunnel it hears of whose
 *  counters moved: 200 busy tunnels are one frame, not 200. */
export const tunnelStatsBatchSchema = z.object({ tunnels: z.array(tunnelStatsEventSchema) });
export type TunnelStatsBatch = z.infer<typeof tunnelStatsBatchSchema>;

/** A new audit record, for admins' audit page. */
export const auditNewEventSchema = z.object({
  seq: z.number(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  actorIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  action: z.string(),
  hostId: z.string().nullable(),
  tunnelId: z.string().nullable(),
  subjectId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditNewEvent = z.infer<typeof auditNewEventSchema>;

/** The records of one commit, oldest first, in one frame: a busy second of
 *  connections seals thousands, which one event each swamped admins' sockets. */
export const auditNewBatchSchema = z.object({ records: z.array(auditNewEventSchema) });
export type AuditNewBatch = z.infer<typeof auditNewBatchSchema>;

/** A request waiting for a decision, for the people who may decide it. */
export const requestNewEventSchema = z.object({
  tunnelId: z.string(),
  type: z.enum(["tunnel", "extension"]),
  requesterEmail: z.string(),
  hostName: z.string(),
  minutes: z.number(),
  until: z.string(),
});
export type RequestNewEvent = z.infer<typeof requestNewEventSchema>;

/** A request decided (or expired, or withdrawn): approvers drop it, its requester learns the outcome. */
export const requestResolvedEventSchema = z.object({
  tunnelId: z.string(),
  type: z.enum(["tunnel", "extension"]),
  outcome: z.enum(["approved", "denied", "expired", "withdrawn"]),
  reason: z.string().nullable(),
});
export type RequestResolvedEvent = z.infer<typeof requestResolvedEventSchema>;

/** Something of a tunnel a status event does not carry changed (who may see it, its expiry, its node): pages showing it reload it. */
export const tunnelChangedEventSchema = z.object({ tunnelId: z.string() });
export type TunnelChangedEvent = z.infer<typeof tunnelChangedEventSchema>;

/** Something to tell one person (lib/notifications), with how many they have not read: the bell and a toast. */
export const notificationNewEventSchema = z.object({
  notification: z.object({
    id: z.string(),
    kind: z.enum(NOTIFICATION_KIND_NAMES),
    title: z.string(),
    body: z.string(),
    url: z.string(),
    at: z.string(),
    read: z.boolean(),
  }),
  unread: z.number(),
});
export type NotificationNewEvent = z.infer<typeof notificationNewEventSchema>;

/** They read some in another tab or browser: every bell of theirs shows the new count. */
export const notificationReadEventSchema = z.object({ unread: z.number() });
export type NotificationReadEvent = z.infer<typeof notificationReadEventSchema>;

export type ServerToClientEvents = {
  "tunnel:status": (event: TunnelStatusEvent) => void;
  "tunnel:stats": (batch: TunnelStatsBatch) => void;
  "tunnel:changed": (event: TunnelChangedEvent) => void;
  "audit:new": (batch: AuditNewBatch) => void;
  "session:ended": (event: { reason: string }) => void;
  "request:new": (event: RequestNewEvent) => void;
  "request:resolved": (event: RequestResolvedEvent) => void;
  "notification:new": (event: NotificationNewEvent) => void;
  "notification:read": (event: NotificationReadEvent) => void;
};

export const userRoom = (userId: string) => `user:${userId}`;
export const teamRoom = (teamId: string) => `team:${teamId}`;
export const ADMIN_ROOM = "admin";

/** Everyone who hears of a tunnel: its owner, the team it is shared with, admins. */
export const tunnelRooms = (tunnel: { ownerId: string; teamId: string | null }) => [
  userRoom(tunnel.ownerId),
  ADMIN_ROOM,
  ...(tunnel.teamId ? [teamRoom(tunnel.teamId)] : []),
];
