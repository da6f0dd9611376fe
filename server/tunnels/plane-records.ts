// What the data plane reports, as the engine keeps it: connections opened and
// closed, refusals and their audit records become journal entries
// (engine-journal.ts), each carrying its tunnel's counters just after.
import type { LiveStats } from "@/lib/tunnels/engine-port";
import type { ConnectionRecord, DataPlaneEvent, TunnelCounters } from "@/server/tunnels/data-plane-protocol";
import { viaDetails } from "@/server/tunnels/connection-audit";
import type { JournalEvent } from "@/server/tunnels/engine-journal";

/** The counters an event reports, by tunnel. */
export function statsOf(event: DataPlaneEvent): [string, LiveStats][] {
  if (event.event === "stats") return event.tunnels;
  if (event.event === "opened") return [[event.tunnelId, event.stats]];
  if (event.event === "closed") return [[event.record.tunnelId, event.stats]];
  return [];
}

/** The journal entries an event stands for: none for counters alone or a link's news (the host's link hears of it). */
export function journalEntriesOf(event: DataPlaneEvent): JournalEvent[] {
  if (event.event === "link-closed" || event.event === "pool-busy" || event.event === "stats") return [];
  const tunnelId = event.event === "closed" ? event.record.tunnelId : event.tunnelId;
  const auditIds = { hostId: event.hostId, tunnelId };
  if (event.event === "refused") {
    const { source, destination, reason, via } = event;
    return [
      { type: "connection", record: { ...refusedRecord(tunnelId, source, destination, reason), via } },
      { type: "audit", input: { action: "connection.refused", ...auditIds, at: new Date(), details: { source, destination, reason, ...viaDetails(via) } } },
    ];
  }
  if (event.event === "refused-many") {
    const { address, reason, count, first, last } = event;
    const error = `refused ${count.toLocaleString("en-US")} connections from ${address} (counted, not recorded one by one): ${reason}`;
    return [
      { type: "connection", record: { tunnelId, source: address, destination: null, bytesIn: 0, bytesOut: 0, openedAt: first, closedAt: last, error } },
      {
        type: "audit",
        input: {
          action: "connection.refused_many",
          ...auditIds,
          at: last,
          details: { source: address, count, first: first.toISOString(), last: last.toISOString(), reason },
        },
      },
    ];
  }
  const counters = countersOf([[tunnelId, event.stats]]);
  if (event.event === "opened") {
    const { connectionId, hostId, source, destination, via } = event;
    return [{ type: "opened", opened: { connectionId, tunnelId, hostId, source, destination, via, at: new Date() }, counters }];
  }
  return [{ type: "closed", hostId: event.hostId, record: event.record, counters }];
}

/** The stored counters of these tunnels, by id. */
export function countersOf(tunnels: [string, LiveStats][]): Record<string, TunnelCounters> {
  return Object.fromEntries(tunnels.map(([id, { bytesIn, bytesOut, connectionsTotal }]) => [id, { bytesIn, bytesOut, connectionsTotal }]));
}

function refusedRecord(tunnelId: string, source: string, destination: string | null, reason: string): ConnectionRecord {
  const now = new Date();
  return { tunnelId, source, destination, bytesIn: 0, bytesOut: 0, openedAt: now, closedAt: now, error: `refused: ${reason}` };
}
