// Every model of prisma/schema.prisma, in an order that writes each row after
// the rows its foreign keys point at, with its primary key (what `db copy`
// pages through). Written out because the generated client (the
// "prisma-client" generator) exports no DMMF: its runtime data model names
// the fields but neither the keys nor which side of a relation holds the
// foreign key. copy-order.test.ts checks this list against the schema, so a
// model added there and missing here fails the unit tests.
import type { Prisma } from "@/lib/generated/prisma/client";

export type CopiedModel = { model: Prisma.ModelName; key: readonly string[] };

export const COPY_ORDER: readonly CopiedModel[] = [
  { model: "User", key: ["id"] },
  { model: "ApiToken", key: ["id"] },
  { model: "DeviceAuthorization", key: ["id"] },
  { model: "RecoveryCode", key: ["id"] },
  { model: "Passkey", key: ["id"] },
  { model: "WebAuthnChallenge", key: ["id"] },
  { model: "PasswordLink", key: ["id"] },
  { model: "AuthSession", key: ["id"] },
  { model: "Host", key: ["id"] },
  { model: "Team", key: ["id"] },
  { model: "Node", key: ["name"] },
  { model: "Membership", key: ["teamId", "userId"] },
  { model: "TeamInvitation", key: ["id"] },
  { model: "HostTeam", key: ["hostId", "teamId"] },
  { model: "Tunnel", key: ["id"] },
  { model: "TunnelParticipant", key: ["tunnelId", "userId"] },
  { model: "TunnelEvent", key: ["id"] },
  { model: "TunnelConnection", key: ["id"] },
  { model: "AuditEvent", key: ["seq"] },
  { model: "AuditCheckpoint", key: ["id"] },
  { model: "AuditKeyEpoch", key: ["fromSeq"] },
  { model: "AuditSink", key: ["name"] },
  { model: "EngineJournalMark", key: ["nodeName"] },
  { model: "ClusterKeys", key: ["id"] },
  { model: "AppHandoff", key: ["codeHash"] },
  { model: "AppSession", key: ["id"] },
  { model: "AppRequest", key: ["id"] },
  { model: "SigningKey", key: ["kid"] },
  { model: "Notification", key: ["id"] },
  { model: "NotificationDelivery", key: ["id"] },
];
