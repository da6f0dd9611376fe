// A host's SSH connections as the data plane uses them: which one a new
// channel goes on. sshd serves each connection in one process, which stops
// for everything it carries while it resolves a name or while it is stuck,
// so the channels are spread:
// - a destination given as a name (not an IP literal) goes to the connection
//   reserved for names, when there is one: a slow DNS answer inside sshd then
//   stalls only other name lookups;
// - any other to the least loaded connection that is not stalled (a channel
//   open on it unanswered for STALL_MS, or nothing heard from it for longer
//   than a keepalive's round); a stalled one gets none until it answers.
// Which connections exist is the engine's choice (host-pool.ts); this asks
// for one more when every connection is loaded or stalled.
import net from "node:net";
import type { Client, ClientChannel } from "ssh2";
import { KEEPALIVE_INTERVAL_MS, openChannels, sshSocketOf } from "@/lib/ssh/ssh-connect";

/** `names`: the connection reserved for destinations given as names; `any`: the others. */
export type LinkRole = "any" | "names";

export type PoolMember = {
  linkId: string;
  client: Client;
  role: LinkRole;
  /** When each unanswered channel open started. */
  pending: Set<{ at: number }>;
  /** When the connection last received anything (a keepalive's answer at least every KEEPALIVE_INTERVAL_MS). */
  heardAt: number;
};

/** A channel open unanswered this long marks its connection stalled. */
export const STALL_MS = 250;
/** Nothing received for this long: a keepalive is overdue. */
const SILENT_MS = KEEPALIVE_INTERVAL_MS + 1_000;
/** Open channels on every connection before the pool asks for another. */
export const CHANNELS_PER_CONNECTION = 8;

const ASK_AGAIN_MS = 10_000;

/** What a pool looks like now, for the engine's health and tests. */
export type PoolSnapshot = {
  linkId: string;
  role: LinkRole;
  channels: number;
  stalled: boolean /** The bastion's end of its TCP connection. */;
  localPort: number | null;
}[];

export const isName = (host: string) => net.isIP(host) === 0;

export class ChannelPool {
  private readonly members = new Map<string, PoolMember>();
  /** A names connection being opened: name channels wait for it rather than stall the others. */
  private namesComing: Promise<void> | undefined;
  /** When it last asked for another connection: again only once the pool changed, or after ASK_AGAIN_MS. */
  private askedAt: number | undefined;

  /** `wantMore`: every connection is loaded or stalled. */
  constructor(private readonly wantMore: () => void) {}

  /** A pool of one connection that never grows, for a runtime used on its own (tools, tests). */
  static of(client: Client): ChannelPool {
    const pool = new ChannelPool(() => {});
    pool.add("only", client, "any");
    return pool;
  }

  add(linkId: string, client: Client, role: LinkRole) {
    const member: PoolMember = { linkId, client, role, pending: new Set(), heardAt: performance.now() };
    sshSocketOf(client)?.on("data", () => (member.heardAt = performance.now()));
    this.members.set(linkId, member);
    this.askedAt = undefined;
  }

  remove(linkId: string) {
    this.members.delete(linkId);
    this.askedAt = undefined;
  }

  /** A names connection is being opened: name channels wait for `opening` to settle. */
  expectNames(opening: Promise<unknown>) {
    const coming = opening.then(
      () => {},
      () => {},
    );
    this.namesComing = coming;
    void coming.then(() => {
      if (this.namesComing === coming) this.namesComing = undefined;
    });
  }

  /** The connection a new channel to `host` goes on; undefined when the host has none. */
  async pick(host: string): Promise<PoolMember | undefined> {
    if (isName(host)) {
      await this.namesComing;
      const names = this.all().find((member) => member.role === "names");
      if (names) return names;
    }
    const general = this.all().filter((member) => member.role === "any");
    const candidates = general.length > 0 ? general : this.all();
    const fresh = candidates.filter((member) => !stalled(member));
    const best = leastLoaded(fresh.length > 0 ? fresh : candidates);
    if (best && (fresh.length === 0 || openChannels(best.client) >= CHANNELS_PER_CONNECTION)) this.askForMore();
    return best;
  }

  /** Where a remote tunnel's listener goes: the least loaded connection, one not reserved for names if there is one. */
  bindTarget(): PoolMember | undefined {
    const general = this.all().filter((member) => member.role === "any" && !stalled(member));
    return leastLoaded(general.length > 0 ? general : this.all());
  }

  has(client: Client): boolean {
    return this.all().some((member) => member.client === client);
  }

  /** Counts the channel open as unanswered on `member` until it settles. */
  async track(member: PoolMember, opening: Promise<ClientChannel>): Promise<ClientChannel> {
    const entry = { at: performance.now() };
    member.pending.add(entry);
    try {
      return await opening;
    } finally {
      member.pending.delete(entry);
    }
  }

  snapshot(): PoolSnapshot {
    return this.all().map((member) => ({
      linkId: member.linkId,
      role: member.role,
      channels: openChannels(member.client),
      stalled: stalled(member),
      localPort: sshSocketOf(member.client)?.localPort ?? null,
    }));
  }

  private all(): PoolMember[] {
    return [...this.members.values()];
  }

  private askForMore() {
    const now = performance.now();
    if (this.askedAt !== undefined && now - this.askedAt < ASK_AGAIN_MS) return;
    this.askedAt = now;
    this.wantMore();
  }
}

function stalled(member: PoolMember): boolean {
  const now = performance.now();
  if (now - member.heardAt > SILENT_MS) return true;
  for (const { at } of member.pending) if (now - at > STALL_MS) return true;
  return false;
}

function leastLoaded(members: PoolMember[]): PoolMember | undefined {
  let best: PoolMember | undefined;
  for (const member of members) if (!best || openChannels(member.client) < openChannels(best.client)) best = member;
  return best;
}
