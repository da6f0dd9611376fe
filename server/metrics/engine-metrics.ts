// The engine's share of the Prometheus series: what it hears from its data
// plane (connections that ended or were refused, counters that moved),
// counted on the main thread as those events arrive.
import type { LiveStats } from "@/lib/tunnels/engine-port";
import { bytesTotal, type ConnectionResult, connectionsTotal, type TunnelKind } from "@/server/metrics/metrics";
import type { DataPlaneEvent } from "@/server/tunnels/data-plane-protocol";

export class EngineMetrics {
  /** Kept until a tunnel's teardown has answered: its last records arrive after the engine forgot it. */
  private readonly kinds = new Map<string, TunnelKind>();

  opened(tunnelId: string, kind: TunnelKind) {
    this.kinds.set(tunnelId, kind);
  }

  closed(tunnelId: string) {
    this.kinds.delete(tunnelId);
  }

  /** The bytes a tunnel carried between two readings of its counters. */
  carried(kind: TunnelKind, before: LiveStats, after: LiveStats) {
    if (after.bytesIn > before.bytesIn) bytesTotal.inc({ kind, direction: "in" }, after.bytesIn - before.bytesIn);
    if (after.bytesOut > before.bytesOut) bytesTotal.inc({ kind, direction: "out" }, after.bytesOut - before.bytesOut);
  }

  events(events: DataPlaneEvent[]) {
    for (const event of events) {
      if (event.event === "closed") this.count(event.record.tunnelId, event.record.error ? "failed" : "ok", 1);
      else if (event.event === "refused") this.count(event.tunnelId, "refused", 1);
      else if (event.event === "refused-many") this.count(event.tunnelId, "refused", event.count);
    }
  }

  private count(tunnelId: string, result: ConnectionResult, connections: number) {
    const kind = this.kinds.get(tunnelId);
    if (kind) connectionsTotal.inc({ kind, result }, connections);
  }
}
