// One SSH connection per host, shared by every tunnel through it (like
// OpenSSH's ControlMaster). When it drops it comes back by itself with
// exponential backoff and jitter (like autossh), unless the failure is one
// that retrying cannot fix (host key changed, key rejected).
import { EventEmitter } from "node:events";
import type { Client } from "ssh2";
import { getPrisma } from "@/lib/db/prisma";
import { systemCtx } from "@/lib/context";
import { recordHostKey, refuseChangedHostKey, sshTarget } from "@/lib/hosts";
import { connectSsh, SshFailure } from "@/lib/ssh/ssh-connect";

export type BackoffOptions = { baseMs: number; maxMs: number };

type LinkEvents = {
  ready: [client: Client];
  down: [reason: string];
  failed: [reason: string];
};

const engineCtx = systemCtx("engine");

export class HostLink extends EventEmitter<LinkEvents> {
  client: Client | undefined;
  hostName: string | undefined;
  private connecting: Promise<Client> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    readonly hostId: string,
    private readonly backoff: BackoffOptions,
  ) {
    super();
  }

  /** The connected client, connecting now if needed (cutting a backoff wait short). */
  ensure(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
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
    this.client?.end();
    this.client = undefined;
    this.removeAllListeners();
  }

  private async connect(): Promise<Client> {
    const host = await getPrisma().host.findUnique({ where: { id: this.hostId } });
    if (!host) throw new SshFailure("network", "the host was deleted");
    this.hostName = host.name;
    if (host.hostKeyStatus === "changed") throw new SshFailure("host-key", await refuseChangedHostKey(engineCtx, host));
    try {
      const { client, fingerprint } = await connectSsh(sshTarget(host));
      await recordHostKey(engineCtx, host, { fingerprint });
      if (this.closed) {
        client.end();
        throw new SshFailure("network", "closed");
      }
      this.adopt(client, host.name);
      return client;
    } catch (error) {
      if (error instanceof SshFailure && error.step === "host-key") await recordHostKey(engineCtx, host, { changedTo: error.offeredFingerprint });
      throw error;
    }
  }

  private adopt(client: Client, name: string) {
    this.client = client;
    this.failures = 0;
    let lastError = "";
    client.on("error", (error) => (lastError = error.message));
    client.once("close", () => {
      if (this.client !== client || this.closed) return;
      this.client = undefined;
      this.emit("down", `connection to ${name} lost${lastError ? ` (${lastError})` : ""}`);
      this.scheduleRetry();
    });
    this.emit("ready", client);
  }

  private scheduleRetry() {
    const exponential = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** this.failures);
    const delay = exponential * (0.8 + Math.random() * 0.4); // jitter: hosts that dropped together do not return in lockstep
    this.failures += 1;
    this.retryTimer = setTimeout(() => void this.ensure().catch(() => {}), delay);
    this.retryTimer.unref();
  }

  private retryAfter(error: unknown) {
    if (this.closed) return;
    if (error instanceof SshFailure && error.permanent) {
      this.emit("failed", error.message);
      return;
    }
    this.emit("down", error instanceof Error ? error.message : String(error));
    this.scheduleRetry();
  }
}
