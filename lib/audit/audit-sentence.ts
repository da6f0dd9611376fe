// An audit record told as one plain sentence ("bob@example.com opened local
// 127.0.0.1:23123 → localhost:18080 via lab-1"), with the family it belongs
// to for its colour and icon. Pure: the server resolves the ids a page of
// records names (audit-names.ts) and the browser writes the sentences.
import type { AuditAction } from "@/lib/audit/audit-actions";
import { formatBytes, formatDuration } from "@/lib/format";
import type { AuditNewEvent } from "@/lib/realtime/events";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";

/** What the ids of a page of records name: hosts, tunnels (with their owner's email), teams and users. */
export type AuditNames = {
  hosts: Record<string, string>;
  tunnels: Record<string, { endpoint: string; owner: string | null }>;
  teams: Record<string, string>;
  users: Record<string, string>;
};

export const NO_NAMES: AuditNames = { hosts: {}, tunnels: {}, teams: {}, users: {} };

export const AUDIT_FAMILIES = ["auth", "user", "host", "team", "tunnel", "connection", "app", "audit"] as const;
export type AuditFamily = (typeof AUDIT_FAMILIES)[number];

export type SentenceRecord = Pick<AuditNewEvent, "action" | "actorType" | "actorEmail" | "hostId" | "tunnelId" | "subjectId" | "details">;

const FAMILY_OF_PREFIX: Record<string, AuditFamily> = {
  auth: "auth",
  mfa: "auth",
  token: "auth",
  device: "auth",
  user: "user",
  host: "host",
  team: "team",
  tunnel: "tunnel",
  connection: "connection",
  app: "app",
  audit: "audit",
  integration: "audit",
};

/** The family of an action, by its prefix: sign-ins and credentials are "auth", integrations "audit". */
export function auditFamily(action: string): AuditFamily {
  return FAMILY_OF_PREFIX[action.split(".")[0] ?? ""] ?? "audit";
}

type Details = Record<string, unknown>;

/** What a sentence is made of: the actor and the names of what the record points at. */
type Parts = {
  who: string;
  d: Details;
  host: string;
  /** "bob@example.com's tunnel db: 127.0.0.1:20001 → db:5432" */
  tunnel: string;
  team: string;
  /** The user the record is about (its subjectId), by email. */
  subject: string;
  user: (id: unknown) => string;
};

/** A detail as text, if it is one (numbers too). */
const text = (d: Details, key: string): string | undefined => {
  const value = d[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
};
const num = (d: Details, key: string): number | undefined => (typeof d[key] === "number" ? (d[key] as number) : undefined);
const count = (n: number | undefined, one: string, many = `${one}s`) => `${(n ?? 0).toLocaleString("en-US")} ${n === 1 ? one : many}`;
const minutes = (n: number | undefined) => (n === undefined ? "some time" : formatDuration(n * 60_000));
/** ": why", when there is a why. */
const because = (why: string | undefined) => (why ? `: ${why}` : "");
/** A grouped failure's tally ("97 more from 192.0.2.9 in the last 60 s"), when the record is one. */
const tally = (d: Details) => (text(d, "summary") ? ` (${text(d, "summary")})` : "");
const by = (p: Parts) => (p.who === "Warren" ? "" : ` by ${p.who}`);

function sessionEnded(d: Details): string {
  const started = text(d, "startedAt");
  const ended = text(d, "endedAt");
  const lasted = started && ended ? ` after ${formatDuration(Date.parse(ended) - Date.parse(started))}` : "";
  return `${lasted}: ${count(num(d, "requests"), "request")}, ${formatBytes(num(d, "bytesIn") ?? 0)} in, ${formatBytes(num(d, "bytesOut") ?? 0)} out${because(text(d, "reason"))}`;
}

/** " over 3 s", from a summary's first and last. */
function over(d: Details): string {
  const first = Date.parse(text(d, "first") ?? "");
  const last = Date.parse(text(d, "last") ?? "");
  return Number.isNaN(first) || Number.isNaN(last) ? "" : ` over ${formatDuration(last - first)}`;
}

/** A summary's busiest sources: "from 10.0.0.5 (497) and 10.0.0.6 (3)". */
function fromSources(d: Details): string {
  const sources = d.sources && typeof d.sources === "object" ? Object.entries(d.sources as Record<string, unknown>) : [];
  const named = sources.slice(0, 3).map(([source, n]) => (source === "others" ? `${n} others` : `${source} (${n})`));
  return named.length > 0 ? ` from ${named.join(", ")}` : "";
}

/** "from 10.0.0.5 to db:5432", and who it was for when it came through `warren connect`. */
function connection(p: Parts): string {
  const destination = text(p.d, "destination");
  const through = text(p.d, "user") ? ` through warren connect for ${text(p.d, "user")}` : "";
  return `from ${text(p.d, "source") ?? "an unknown source"}${destination ? ` to ${destination}` : ""}${through}`;
}

function requested(p: Parts): string {
  const d = p.d;
  const kind = text(d, "kind");
  const spec = { kind, name: text(d, "name") ?? null, listen: d.listen ?? null, target: d.target ?? null } as Parameters<typeof tunnelEndpoint>[0];
  const what = kind ? `${kind} ${tunnelEndpoint(spec)}` : p.tunnel;
  const lasting = ` for ${minutes(num(d, "ttlMinutes"))}`;
  return d.approvalRequired ? `${p.who} asked for ${what} via ${p.host}${lasting}, awaiting approval` : `${p.who} opened ${what} via ${p.host}${lasting}`;
}

function mfaMethod(d: Details): string {
  const method = text(d, "method");
  if (method === "passkey") return `passkey ${text(d, "name") ?? ""}`.trim();
  return method === "all" ? "every second factor" : "an authenticator app";
}

function hostUpdated(p: Parts): string {
  const changed = Array.isArray(p.d.changed) ? p.d.changed.filter((item) => typeof item === "string") : [];
  const to = text(p.d, "to");
  const forgot = text(p.d, "forgotHostKey");
  return `${p.who} changed host ${p.host}${changed.length ? ` (${changed.join(", ")})` : ""}${to ? `, now at ${to}` : ""}${forgot ? `, forgetting its host key ${forgot}` : ""}`;
}

function teamUpdated(p: Parts): string {
  const from = text(p.d, "from");
  const name = text(p.d, "name");
  return from && name && from !== name ? `${p.who} renamed team ${from} to ${name}` : `${p.who} changed the identity-provider groups of team ${p.team}`;
}

const SENTENCES: Record<AuditAction, (p: Parts) => string> = {
  "auth.sign_in": ({ who, d }) =>
    `${who} signed in ${text(d, "via") === "oidc" ? "with single sign-on" : "with a password"}${text(d, "secondFactor") ? ` and a ${text(d, "secondFactor")}` : ""}`,
  "auth.sign_in_failed": ({ d }) =>
    `Sign-in as ${text(d, "email") ?? "an unknown account"}${text(d, "via") === "oidc" ? " with single sign-on" : ""} failed${because(text(d, "reason"))}${tally(d)}`,
  "auth.sign_out": ({ who }) => `${who} signed out`,
  "auth.token_failed": ({ d }) => `A request with API token ${text(d, "prefix") ?? ""}… was refused${because(text(d, "reason"))}${tally(d)}`,
  "auth.second_factor_failed": ({ subject, d }) => `${subject} gave a wrong second-factor code${text(d, "purpose") ? ` (for ${text(d, "purpose")})` : ""}`,
  "auth.recovery_code_used": ({ subject, d }) => `${subject} used a recovery code, ${count(num(d, "left"), "code")} left`,
  "mfa.enrolled": ({ subject, d }) => `${subject} enrolled ${mfaMethod(d)}`,
  "mfa.removed": ({ who, subject, d }) => `${who} removed ${mfaMethod(d)} of ${subject}`,
  "token.created": ({ who, d, user }) => `${who} created API token ${text(d, "name") ?? ""} (${text(d, "prefix") ?? ""}…) for ${user(d.userId)}`,
  "token.revoked": ({ who, d, user }) => `${who} revoked API token ${text(d, "name") ?? ""} (${text(d, "prefix") ?? ""}…) of ${user(d.userId)}`,
  "device.approved": ({ who, d }) => `${who} approved device ${text(d, "name") ?? ""}, asked for from ${text(d, "requestedFrom") ?? "an unknown address"}`,
  "device.denied": ({ who, d }) => `${who} denied device ${text(d, "name") ?? ""}, asked for from ${text(d, "requestedFrom") ?? "an unknown address"}`,
  "device.revoked": ({ who, d, user }) => `${who} revoked device ${text(d, "name") ?? ""} of ${user(d.userId)}`,
  "user.created": ({ who, subject, d }) =>
    `${who} added user ${subject} as ${text(d, "role") ?? "user"}${d.firstAdmin ? " (the first admin)" : ""}${text(d, "source") === "oidc" ? " at their first single sign-on" : ""}`,
  "user.disabled": ({ who, subject, d }) => `${who} disabled ${subject}, ending ${count(num(d, "sessionsEnded"), "session")}`,
  "user.enabled": ({ who, subject }) => `${who} enabled ${subject} again`,
  "user.role_changed": ({ who, subject, d }) =>
    `${text(d, "source") === "oidc" ? "The identity provider" : who} changed the role of ${subject} from ${text(d, "from") ?? "?"} to ${text(d, "role") ?? "?"}`,
  "user.idp_linked": ({ subject }) => `${subject} was linked to their identity-provider account`,
  "user.password_changed": ({ subject, d }) => `${subject} changed their password, ending ${count(num(d, "otherSessionsEnded"), "other session")}`,
  "user.password_reset": ({ who, subject, d }) => `${who} reset the password of ${subject}, ending ${count(num(d, "sessionsEnded"), "session")}`,
  "user.password_link_created": ({ who, subject }) => `${who} made a link for ${subject} to set a new password`,
  "user.password_set": ({ subject, d }) => `${subject} set a password from a link, ending ${count(num(d, "sessionsEnded"), "session")}`,
  "user.session_ended": ({ who, subject, d }) => `${who} ended a session of ${subject}${text(d, "ip") ? ` from ${text(d, "ip")}` : ""}`,
  "user.notifications_changed": ({ who, subject }) => `${who} changed the notifications of ${subject}`,
  "host.created": ({ who, host, d }) => `${who} added host ${text(d, "name") ?? host} (${text(d, "address") ?? "?"}:${text(d, "port") ?? "22"})`,
  "host.updated": hostUpdated,
  "host.deleted": ({ who, d, host }) => `${who} removed host ${text(d, "name") ?? host}${text(d, "address") ? ` (${text(d, "address")})` : ""}`,
  "host.key_trusted": ({ who, host, d }) =>
    d.firstUse
      ? `Warren trusted the host key of ${host} at first use (${text(d, "fingerprint") ?? "?"})`
      : `${who} trusted a new host key for ${host} (${text(d, "fingerprint") ?? "?"})`,
  "host.key_changed": ({ host, d }) => `The host key of ${host} changed to ${text(d, "offered") ?? "?"}: refused until an admin trusts it`,
  "host.key_refused": ({ host, d }) => `Warren refused to connect to ${host}: its host key changed to ${text(d, "offered") ?? "?"}`,
  "team.created": ({ who, d, team }) => `${who} created team ${text(d, "name") ?? team}${text(d, "owner") ? ` owned by ${text(d, "owner")}` : ""}`,
  "team.updated": teamUpdated,
  "team.deleted": ({ who, d, team }) => `${who} deleted team ${text(d, "name") ?? team}`,
  "team.member_added": ({ who, d, team }) => `${who} added ${text(d, "email") ?? "someone"} to team ${team} as ${text(d, "role") ?? "member"}`,
  "team.member_updated": ({ who, d, team }) =>
    `${who} made ${text(d, "email") ?? "someone"} ${text(d, "role") ?? "?"} of team ${team} (was ${text(d, "from") ?? "?"})`,
  "team.member_removed": ({ who, d, team }) =>
    d.left ? `${text(d, "email") ?? who} left team ${team}` : `${who} removed ${text(d, "email") ?? "someone"} from team ${team}`,
  "team.member_invited": ({ who, d, team }) => `${who} invited ${text(d, "email") ?? "someone"} to team ${team} as ${text(d, "role") ?? "member"}`,
  "team.invitation_accepted": ({ who, d, team }) => `${text(d, "email") ?? who} accepted the invitation to team ${team}`,
  "team.invitation_declined": ({ who, d, team }) => `${text(d, "email") ?? who} declined the invitation to team ${team}`,
  "team.invitation_withdrawn": ({ who, d, team }) => `${who} withdrew the invitation of ${text(d, "email") ?? "someone"} to team ${team}`,
  "tunnel.requested": requested,
  "tunnel.approved": ({ who, tunnel, d }) => `${who} approved ${tunnel}${because(text(d, "reason"))}`,
  "tunnel.denied": ({ who, tunnel, d }) => `${who} denied ${tunnel}${because(text(d, "reason"))}`,
  "tunnel.opened": ({ tunnel, host }) => `${tunnel} opened on ${host}`,
  "tunnel.extension_requested": ({ who, tunnel, d }) => `${who} asked to extend ${tunnel} by ${minutes(num(d, "ttlMinutes"))}`,
  "tunnel.extension_denied": ({ who, tunnel, d }) => `${who} denied extending ${tunnel}${because(text(d, "reason"))}`,
  "tunnel.extension_expired": ({ tunnel, d }) => `Nobody approved extending ${tunnel} by ${minutes(num(d, "ttlMinutes"))} in time`,
  "tunnel.extended": ({ who, tunnel, d }) => `${who} extended ${tunnel} by ${minutes(num(d, "addedMinutes"))}`,
  "tunnel.expiry_shortened": ({ tunnel, host, d }) => `${tunnel} was shortened to the ${minutes(num(d, "maxTtlMinutes"))} ${host} now allows`,
  "tunnel.joined": ({ tunnel, subject, d }) => `${subject} joined ${tunnel}${text(d, "team") ? ` through team ${text(d, "team")}` : ""}`,
  "tunnel.participant_removed": ({ who, tunnel, subject, d }) => `${who} took ${text(d, "email") ?? subject} off ${tunnel}${because(text(d, "why"))}`,
  "tunnel.reconnecting": ({ tunnel, d }) => `${tunnel} is reconnecting${because(text(d, "reason"))}`,
  "tunnel.moved": ({ tunnel, d }) => `${tunnel} moved from node ${text(d, "from") ?? "?"} to node ${text(d, "to") ?? "?"}`,
  "tunnel.failed": ({ tunnel, d }) => `${tunnel} failed${because(text(d, "reason"))}`,
  "tunnel.closed": (p) => `${p.tunnel} was closed${by(p)}${because(text(p.d, "reason"))}`,
  "tunnel.expired": ({ tunnel }) => `${tunnel} expired`,
  "connection.accepted": (p) => `Connection ${connection(p)} accepted, carried by ${p.tunnel}`,
  "connection.refused": (p) => `Connection ${connection(p)} refused${because(text(p.d, "reason"))}, at ${p.tunnel}`,
  "connection.accepted_many": ({ d, tunnel }) => `${count(num(d, "count"), "connection")} accepted${over(d)}${fromSources(d)}, carried by ${tunnel}`,
  "connection.refused_many": ({ d, tunnel }) =>
    `${count(num(d, "count"), "connection")} from ${text(d, "source") ?? "one source"} refused${over(d)}${because(text(d, "reason"))}, at ${tunnel}`,
  "connection.closed": (p) => {
    const d = p.d;
    const lasted = num(d, "durationMs") === undefined ? "" : ` after ${formatDuration(num(d, "durationMs")!)}`;
    const traffic = `${formatBytes(num(d, "bytesIn") ?? 0)} in, ${formatBytes(num(d, "bytesOut") ?? 0)} out`;
    return `Connection ${connection(p)} closed${lasted} (${traffic})${because(text(d, "error"))}, carried by ${p.tunnel}`;
  },
  "connection.closed_many": ({ d, tunnel }) => {
    const failed = num(d, "failed") ? `, ${count(num(d, "failed"), "failed", "failed")}` : "";
    const traffic = `${formatBytes(num(d, "bytesIn") ?? 0)} in, ${formatBytes(num(d, "bytesOut") ?? 0)} out${failed}`;
    return `${count(num(d, "count"), "connection")} closed${over(d)}${fromSources(d)} (${traffic}), carried by ${tunnel}; each is in its history`;
  },
  "connection.killed": (p) =>
    `${p.who} cut connection ${connection(p)} (${formatBytes(num(p.d, "bytesIn") ?? 0)} in, ${formatBytes(num(p.d, "bytesOut") ?? 0)} out) of ${p.tunnel}${because(text(p.d, "reason"))}`,
  "app.session_started": ({ who, tunnel, d }) => `${who} started a ${text(d, "app") ?? "web"} session through ${tunnel}`,
  "app.session_ended": ({ who, tunnel, d }) => `${who}'s ${text(d, "app") ?? "web"} session through ${tunnel} ended${sessionEnded(d)}`,
  "audit.pruned": ({ d }) =>
    `Warren removed ${count(num(d, "removed"), "audit record")} older than ${count(num(d, "retentionDays"), "day")}, through record ${text(d, "throughSeq") ?? "?"}`,
  "audit.journal_rejected": ({ d }) => `Warren refused ${count(num(d, "rejected"), "line")} of the engine's journal ${text(d, "file") ?? ""}`.trim(),
  "audit.anchor_started": ({ d }) => `Warren anchored the audit chain anew from record ${text(d, "fromSeq") ?? "?"}${because(text(d, "reason"))}`,
  "audit.key_rotated": ({ who, d }) =>
    `${who} rotated Warren's secret key, sealing ${count(num(d, "resealed"), "value")} anew; the chain goes on under the new key`,
  "integration.created": ({ who, d }) => `${who} added audit integration ${text(d, "name") ?? ""} (${text(d, "kind") ?? "?"} to ${text(d, "target") ?? "?"})`,
  "integration.deleted": ({ who, d }) => `${who} removed audit integration ${text(d, "name") ?? ""} (${text(d, "kind") ?? "?"})`,
};

/** The words for a record whose action Warren no longer knows (written by a newer version). */
export const unknownActionSentence = (record: SentenceRecord) => `${actorOf(record)}: ${record.action}`;

/** The actor in a sentence: the person's email, or Warren for its own doings. */
export const actorOf = (record: Pick<SentenceRecord, "actorType" | "actorEmail">) => (record.actorType === "user" ? (record.actorEmail ?? "a user") : "Warren");

function partsOf(record: SentenceRecord, names: AuditNames): Parts {
  const d = record.details;
  const family = auditFamily(record.action);
  const user = (id: unknown) => (typeof id === "string" && names.users[id]) || "a user since removed";
  const owned = record.tunnelId ? names.tunnels[record.tunnelId] : undefined;
  const tunnel = owned
    ? `${owned.owner ? `${owned.owner}'s tunnel` : "tunnel"} ${owned.endpoint}`
    : record.tunnelId
      ? `tunnel ${record.tunnelId.slice(0, 10)}… (removed)`
      : "a tunnel";
  const hostName = record.hostId ? names.hosts[record.hostId] : undefined;
  return {
    who: actorOf(record),
    d,
    host: hostName ?? (family === "host" ? text(d, "name") : undefined) ?? "a host since removed",
    tunnel,
    team: (record.subjectId ? names.teams[record.subjectId] : undefined) ?? text(d, "team") ?? text(d, "name") ?? "a team since removed",
    subject: (record.subjectId ? names.users[record.subjectId] : undefined) ?? text(d, "email") ?? "a user since removed",
    user,
  };
}

/** The record as a sentence, and its family. */
export function auditSentence(record: SentenceRecord, names: AuditNames = NO_NAMES): { sentence: string; family: AuditFamily } {
  const write = SENTENCES[record.action as AuditAction] as ((p: Parts) => string) | undefined;
  const family = auditFamily(record.action);
  return { sentence: write ? write(partsOf(record, names)) : unknownActionSentence(record), family };
}
