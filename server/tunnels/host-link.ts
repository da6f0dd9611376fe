// One SSH connection to a host, one of its pool's (host-pool.ts), shared by
// the host's tunnels (like OpenSSH's ControlMaster). When it drops it comes back by itself with
// exponential backoff and jitter (like autossh), unless the failure is one
// that retrying cannot fix (host key changed, key rejected). The connection
// itself lives in the data plane's thread; this decides when to (re)connect.
import { messageOf } from "@/lib/describe-failure";
import { EventEmitter } from "node:events";
import { getPrisma } from "@/lib/db/prisma";
import { systemCtx } from "@/lib/context";
import { recordHostKey, refuseChangedHostKey, sshTarget } from "@/lib/hosts";
import { SshFailure } from "@/lib/ssh/ssh-connect";
import type { LinkState } from "@/lib/tunnels/engine-port";
import { sshConnectSeconds, sshReconnectsTotal } from "@/server/metrics/metrics";
import type { DataPlane } from "@/server/tunnels/data-plane";
import type { LinkRole } from "@/server/tunnels/channel-pool";
import type { DataPlaneEvent } from "@/server/tunnels/data-plane-protocol";

export type BackoffOptions = { baseMs: number; maxMs: number };

type LinkEvents = {
  ready: [linkId: string];
  down: [reason: string];
  failed: [reason: string];
};

const engineCtx = systemCtx("engine");

type LinkClosed = Extract<DataPlaneEvent, { event: "link-closed" }>;

/** Names each connection the data plane opens, so a late "closed" from an old one is not taken for the current one's. */
let linkCount = 0;

export class HostLink extends EventEmitter<LinkEvents> {
  /** The data plane's name for the connection while it is up. */
  linkId: string | undefined;
  hostName: string | undefined;
  private connecting: Promise<string> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    readonly hostId: string,
    private readonly backoff: BackoffOptions,
    private readonly plane: DataPlane,
    readonly role: LinkRole = "any",
  ) {
    super();
    plane.on("events", this.onPlaneEvents);
  }

  get state(): LinkState {
    if (this.linkId) return "up";
    if (this.connecting) return "connecting";
    return this.retryTimer ? "waiting" : "down";
  }

  /** The connection's link id, connecting now if needed (cutting a backoff wait short). */
  ensure(): Promise<string> {
    if (this.linkId) return Promise.resolve(this.linkId);
    if (!this.connecting) {
      const recovering = this.retryTimer !== undefined;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.connecting = this.connect()
        .catch((error: unknown) => {
          // A link that was already recovering keeps trying for its tunnels.
          if (recovering) this.retryAfter(error);
          throw error;
        })
        .finally(() => (this.connecting = undefined));
    }
    return this.connecting;
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.plane.off("events", this.onPlaneEvents);
    if (this.linkId) void this.plane.call("disconnect", { linkId: this.linkId }).catch(() => {});
    this.linkId = undefined;
    this.removeAllListeners();
  }

  private readonly onPlaneEvents = (events: DataPlaneEvent[]) => {
    const lost = events.find((event): event is LinkClosed => event.event === "link-closed" && event.linkId === this.linkId);
    if (!lost || this.closed) return;
    this.linkId = undefined;
    this.emit("down", `connection to ${this.hostName} lost${lost.reason ? ` (${lost.reason})` : ""}`);
    this.scheduleRetry();
  };

  private async connect(): Promise<string> {
    const host = await getPrisma().host.findUnique({ where: { id: this.hostId } });
    if (!host) throw new SshFailure("network", "the host was deleted");
    this.hostName = host.name;
    if (host.hostKeyStatus === "changed") throw new SshFailure("host-key", await refuseChangedHostKey(engineCtx, host));
    const linkId = `${this.hostId}#${++linkCount}`;
    try {
      const timer = sshConnectSeconds.startTimer();
      const { fingerprint } = await this.plane.call("connect", { linkId, hostId: this.hostId, target: sshTarget(host), role: this.role });
      timer();
      await recordHostKey(engineCtx, host, { fingerprint });
      if (this.closed) {
        void this.plane.call("disconnect", { linkId }).catch(() => {});
        throw new SshFailure("network", "closed");
      }
      this.adopt(linkId);
      return linkId;
    } catch (error) {
      if (error instanceof SshFailure && error.step === "host-key") await recordHostKey(engineCtx, host, { changedTo: error.offeredFingerprint });
      throw error;
    }
  }

  private adopt(linkId: string) {
    this.linkId = linkId;
    this.failures = 0;
    this.emit("ready", linkId);
  }

  private scheduleRetry() {
    const exponential = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** this.failures);
    const delay = exponential * (0.8 + Math.random() * 0.4); // jitter: hosts that dropped together do not return in lockstep
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      sshReconnectsTotal.inc();
      void this.ensure().catch(() => {});
    }, delay);
    this.retryTimer.unref();
  }

  private retryAfter(error: unknown) {
    if (this.closed) return;
    if (error instanceof SshFailure && error.permanent) {
      this.emit("failed", error.message);
      return;
    }
    this.emit("down", messageOf(error));
    this.scheduleRetry();
  }
}
