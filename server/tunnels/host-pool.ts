// A host's SSH connections: up to `size` of them (WARREN_SSH_CONNECTIONS_PER_HOST),
// each a HostLink with its own reconnect, backoff, keepalive and host-key
// checks. One sshd process serves each connection, and stops for all of it
// while it resolves a name or is stuck; a pool keeps one slow answer from
// stalling the host's other tunnels (channel-pool.ts spreads the channels):
// - the first connection opens at once, for any channel;
// - one reserved for destinations given as names opens as a tunnel that may
//   ask for names (dynamic, or local to a name) attaches, when size allows 2;
// - more open one at a time when every connection is loaded or stalled, up to
//   size less the names one.
// A connection that drops reconnects by itself while the others carry on: the
// host's tunnels are "reconnecting" only when none is left. An extra
// connection the host refuses (sshd's MaxStartups, say) stops the growth for
// a while; the tunnels carry on with what they have and their history says so.
import { messageOf } from "@/lib/describe-failure";
import { EventEmitter } from "node:events";
import { log } from "@/lib/log";
import { SshFailure } from "@/lib/ssh/ssh-connect";
import type { LinkRole } from "@/server/tunnels/channel-pool";
import type { DataPlane } from "@/server/tunnels/data-plane";
import type { LinkState } from "@/lib/tunnels/engine-port";
import { type BackoffOptions, HostLink } from "@/server/tunnels/host-link";

type PoolEvents = {
  /** A connection is up: tunnels waiting for the host may attach. */
  ready: [linkId: string];
  /** The host has no live connection left. */
  down: [reason: string];
  /** A connection dropped (or failed to come back) while others carry on: remote listeners on it move. */
  shrunk: [reason: string];
  /** Retrying cannot help (host key changed, key rejected). */
  failed: [reason: string];
  /** For the history of the host's tunnels: the pool stopped growing, and why. */
  note: [message: string];
};

/** After the host refused an extra connection, the pool tries growing again after this long. */
const GROW_AGAIN_MS = 60_000;

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : (({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th");
  return `${n}${suffix}`;
}

export class HostPool extends EventEmitter<PoolEvents> {
  private readonly links: HostLink[] = [];
  private growAfter = 0;

  constructor(
    readonly hostId: string,
    private readonly backoff: BackoffOptions,
    private readonly plane: DataPlane,
    private readonly size: number,
  ) {
    super();
  }

  /** Each connection's state. */
  get states(): LinkState[] {
    return this.links.map((link) => link.state);
  }

  /** A live connection, connecting the first if none is (cutting a backoff
   *  wait short); with `names`, the connection reserved for names too, if the
   *  pool may have one. Answers what the tunnel's owner should hear: that the
   *  host refused it (name lookups then share the other connections). */
  async ensure(names: boolean): Promise<string | undefined> {
    if (this.live().length === 0) await this.first().ensure();
    return names ? this.ensureNames() : undefined;
  }

  /** Every live connection is loaded or stalled: one more, if the pool may grow. */
  grow() {
    const general = this.links.filter((link) => link.role === "any");
    const room = this.size > 1 ? this.size - 1 : this.size; // one place kept for names
    if (general.length >= room || Date.now() < this.growAfter || this.links.some((link) => link.state !== "up")) return;
    void this.open("any");
  }

  close() {
    for (const link of this.links) link.close();
    this.links.length = 0;
    this.removeAllListeners();
  }

  private live(): HostLink[] {
    return this.links.filter((link) => link.linkId !== undefined);
  }

  private first(): HostLink {
    return this.links.find((link) => link.role === "any") ?? this.add("any");
  }

  private async ensureNames(): Promise<string | undefined> {
    if (this.size < 2) return undefined;
    const names = this.links.find((link) => link.role === "names");
    if (names) {
      // Coming back by itself after a drop: meanwhile name lookups share the others.
      if (names.state === "connecting") await names.ensure().catch(() => {});
      return undefined;
    }
    return Date.now() >= this.growAfter ? this.open("names") : undefined;
  }

  /** One more connection; one the host refuses is dropped from the pool, and answers why. */
  private async open(role: LinkRole): Promise<string | undefined> {
    const link = this.add(role);
    try {
      await link.ensure();
      return undefined;
    } catch (error) {
      if (error instanceof SshFailure && error.permanent) {
        this.emit("failed", error.message);
        return undefined;
      }
      this.links.splice(this.links.indexOf(link), 1);
      link.close();
      this.growAfter = Date.now() + GROW_AGAIN_MS;
      const carrying = this.live().length;
      const message = `${link.hostName ?? "the host"}'s sshd refused a ${ordinal(this.links.length + 1)} connection (MaxStartups?): ${messageOf(error)} — carrying on with ${carrying}`;
      log().warn({ hostId: this.hostId }, message);
      if (carrying > 0) this.emit("note", message);
      return message;
    }
  }

  private add(role: LinkRole): HostLink {
    const link = new HostLink(this.hostId, this.backoff, this.plane, role);
    link.on("ready", (linkId) => this.emit("ready", linkId));
    link.on("down", (reason) => (this.live().length > 0 ? this.emit("shrunk", reason) : this.emit("down", reason)));
    link.on("failed", (reason) => this.emit("failed", reason));
    this.links.push(link);
    return link;
  }
}
