// The audit records of a commit slice's connections. Each connection has its
// row in the tunnel's history either way; the audit chain tells of it one by
// one while a tunnel's connections come at a person's pace, and in two
// records per slice when they come in a storm (a health checker, a client
// without a connection pool): sealing two records per connection is what
// kept the journal from keeping up (docs/performance.md, "Connection storm").
import type { AuditInput } from "@/lib/audit/audit-log";
import type { ConnectionRecord, ConnectPerson } from "@/server/tunnels/data-plane-protocol";
import type { JournalEntry, OpenedConnection } from "@/server/tunnels/engine-journal";

/** A tunnel's connection events in one slice audited one by one, at most; beyond, summed up. */
export const CONNECTIONS_ONE_BY_ONE = 20;
/** The busiest addresses a summary names, by count; the rest are counted together. */
const NAMED = 10;

type ConnectionEntry = Extract<JournalEntry, { type: "opened" | "closed" }>;

const tunnelOf = (entry: ConnectionEntry) => (entry.type === "opened" ? entry.opened.tunnelId : entry.record.tunnelId);

/** The slice's audit records, in its order; a summed-up tunnel's records where its last event was. */
export function connectionAudit(batch: readonly JournalEntry[]): AuditInput[] {
  const events = new Map<string, ConnectionEntry[]>();
  for (const entry of batch) {
    if (entry.type !== "opened" && entry.type !== "closed") continue;
    const own = events.get(tunnelOf(entry));
    if (own) own.push(entry);
    else events.set(tunnelOf(entry), [entry]);
  }
  const inputs: AuditInput[] = [];
  for (const entry of batch) {
    if (entry.type === "audit") inputs.push(entry.input);
    if (entry.type !== "opened" && entry.type !== "closed") continue;
    const own = events.get(tunnelOf(entry))!;
    if (own.length <= CONNECTIONS_ONE_BY_ONE) inputs.push(entry.type === "opened" ? acceptedInput(entry.opened) : closedInput(entry.hostId, entry.record));
    else if (entry === own.at(-1)) inputs.push(...summaries(own));
  }
  return inputs;
}

function acceptedInput({ tunnelId, hostId, at, source, destination, via }: OpenedConnection): AuditInput {
  return { action: "connection.accepted", hostId, tunnelId, at, details: { source, destination, ...viaDetails(via) } };
}

function closedInput(hostId: string, record: ConnectionRecord): AuditInput {
  return { action: "connection.closed", hostId, tunnelId: record.tunnelId, at: record.closedAt, details: connectionDetails(record) };
}

/** One record for the connections that closed, one for those still open
 *  (a connection that opened and closed within the slice is in the first only). */
function summaries(own: ConnectionEntry[]): AuditInput[] {
  const closed = own.flatMap((entry) => (entry.type === "closed" ? [entry] : []));
  const closedIds = new Set(closed.map(({ record }) => record.id));
  const open = own.flatMap((entry) => (entry.type === "opened" && !closedIds.has(entry.opened.connectionId) ? [entry.opened] : []));
  const hostId = closed[0]?.hostId ?? open[0]!.hostId;
  const tunnelId = tunnelOf(own[0]!);
  const inputs: AuditInput[] = [];
  if (closed.length > 0) {
    const records = closed.map(({ record }) => record);
    const at = new Date(Math.max(...records.map((record) => record.closedAt.getTime())));
    inputs.push({ action: "connection.closed_many", hostId, tunnelId, at, details: closedSummary(records) });
  }
  if (open.length > 0) {
    const at = new Date(Math.max(...open.map((one) => one.at.getTime())));
    inputs.push({
      action: "connection.accepted_many",
      hostId,
      tunnelId,
      at,
      details: { count: open.length, first: open[0]!.at.toISOString(), last: at.toISOString(), ...spread(open) },
    });
  }
  return inputs;
}

function closedSummary(records: ConnectionRecord[]) {
  const failed = records.filter((record) => record.error);
  return {
    count: records.length,
    first: new Date(Math.min(...records.map((record) => record.openedAt.getTime()))).toISOString(),
    last: new Date(Math.max(...records.map((record) => record.closedAt.getTime()))).toISOString(),
    bytesIn: records.reduce((sum, record) => sum + record.bytesIn, 0),
    bytesOut: records.reduce((sum, record) => sum + record.bytesOut, 0),
    failed: failed.length,
    ...(failed.length > 0 ? { errors: tally(failed.map((record) => record.error!)) } : {}),
    ...spread(records),
  };
}

/** Where a batch of connections came from and went, and whose they were, by count. */
function spread(connections: { source: string; destination: string | null; via?: ConnectPerson }[]) {
  const vias = connections.flatMap(({ via }) => (via ? [via] : []));
  const clients = vias.flatMap(({ client }) => (client ? [client] : []));
  return {
    sources: tally(connections.map(({ source }) => addressOf(source))),
    destinations: tally(connections.map(({ destination }) => destination ?? "none")),
    ...(vias.length > 0 ? { via: tally(vias.map(({ by }) => by)), people: tally(vias.map(({ email }) => email)) } : {}),
    ...(clients.length > 0 ? { clients: tally(clients) } : {}),
  };
}

/** The NAMED commonest values with their counts, busiest first, and how many others. */
function tally(values: string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const named = Object.fromEntries(sorted.slice(0, NAMED));
  const others = sorted.slice(NAMED).reduce((sum, [, count]) => sum + count, 0);
  return others > 0 ? { ...named, others } : named;
}

/** "10.0.0.5:51234" → "10.0.0.5", "[::1]:51234" → "[::1]": a storm's ports are all different. */
const addressOf = (source: string) => source.replace(/:\d+$/, "");

function connectionDetails(record: ConnectionRecord) {
  return {
    source: record.source,
    destination: record.destination,
    bytesIn: record.bytesIn,
    bytesOut: record.bytesOut,
    durationMs: record.closedAt.getTime() - record.openedAt.getTime(),
    error: record.error,
    ...viaDetails(record.via),
  };
}

/** A `warren connect` connection's audit details say so, and whose it was. */
export function viaDetails(via: ConnectPerson | undefined) {
  return via ? { via: via.by, user: via.email, userId: via.userId, ...(via.client ? { client: via.client } : {}) } : {};
}
