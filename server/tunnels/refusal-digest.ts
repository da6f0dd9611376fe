// Refused connections, counted once a source keeps at it. Each refusal used
// to become a connection record and an audit record: a flood against a
// listener that allows one address wrote hundreds of thousands of each.
// Now the first few from a source are still recorded one by one; after that
// they are counted, and each interval (and when the tunnel closes) the count
// becomes one summary per tunnel and source. A source that stays quiet for a
// whole interval starts afresh.
import type { RefusalSummary } from "@/server/tunnels/data-plane-protocol";
import type { RuntimeHooks } from "@/server/tunnels/tunnel-runtime";

export type Refusal = Parameters<RuntimeHooks["connectionRefused"]>[0];

export type DigestLimits = {
  /** Refusals from one source recorded one by one before counting starts. */
  individually: number;
  /** Sources tracked per tunnel; refusals from any further ones are counted together. */
  sources: number;
};

const DEFAULT_LIMITS: DigestLimits = { individually: 5, sources: 100 };
const OTHERS = "other addresses";

type Tally = { address: string; reason: string; reported: number; count: number; first?: Date; last?: Date };
type TunnelTallies = { hostId: string; bySource: Map<string, Tally> };

/** "10.0.0.2:5000" → "10.0.0.2", "::1:5000" → "::1". */
const addressOf = (source: string) => source.slice(0, source.lastIndexOf(":")).replace(/^::ffff:/, "");

export class RefusalDigest {
  private readonly tunnels = new Map<string, TunnelTallies>();

  constructor(private readonly limits: DigestLimits = DEFAULT_LIMITS) {}

  /** True when this refusal is to be recorded on its own; false when it was counted. */
  admit(tunnel: { id: string; hostId: string }, refusal: Refusal, now = new Date()): boolean {
    let tallies = this.tunnels.get(tunnel.id);
    if (!tallies) {
      tallies = { hostId: tunnel.hostId, bySource: new Map() };
      this.tunnels.set(tunnel.id, tallies);
    }
    const address = addressOf(refusal.source);
    const key = tallies.bySource.has(address) || tallies.bySource.size < this.limits.sources ? address : OTHERS;
    let tally = tallies.bySource.get(key);
    if (!tally) {
      tally = { address: key, reason: refusal.reason, reported: 0, count: 0 };
      tallies.bySource.set(key, tally);
    }
    if (tally.reported < this.limits.individually) {
      tally.reported += 1;
      return true;
    }
    if (tally.count > 0 && tally.reason !== refusal.reason) tally.reason = "various reasons";
    if (tally.count === 0) [tally.first, tally.reason] = [now, refusal.reason];
    tally.count += 1;
    tally.last = now;
    return false;
  }

  /** What was counted since the last drain, for one tunnel (closing: forgotten) or all. */
  drain(tunnelId?: string): RefusalSummary[] {
    const summaries: RefusalSummary[] = [];
    const ids = tunnelId === undefined ? [...this.tunnels.keys()] : [tunnelId];
    for (const id of ids) {
      const tallies = this.tunnels.get(id);
      if (!tallies) continue;
      for (const [key, tally] of tallies.bySource) {
        if (tally.count === 0) {
          tallies.bySource.delete(key); // quiet for an interval: recorded one by one again
          continue;
        }
        const { address, reason, count, first, last } = tally;
        summaries.push({ tunnelId: id, hostId: tallies.hostId, address, reason, count, first: first!, last: last! });
        tally.count = 0;
      }
      if (tunnelId !== undefined || tallies.bySource.size === 0) this.tunnels.delete(id);
    }
    return summaries;
  }
}
