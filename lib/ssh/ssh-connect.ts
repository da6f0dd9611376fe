// Opens one authenticated SSH connection with ssh2 and explains any failure
// in words a person understands, naming the step that failed.
import net from "node:net";
import { Client } from "ssh2";
import { corkForTurn } from "@/lib/net/cork-for-turn";
import { fingerprintOf } from "@/lib/ssh/ssh-keys";
import { slabReads } from "@/lib/ssh/slab-reads";

export type SshTarget = {
  name: string;
  address: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  /** null: accept and report whatever key the server offers (trust on first use). */
  expectedFingerprint: string | null;
};

export type SshStep = "network" | "handshake" | "host-key" | "authentication";

export class SshFailure extends Error {
  constructor(
    readonly step: SshStep,
    message: string,
    /** The key the server offered: a changed one (host-key), or one accepted before authentication failed. */
    readonly offeredFingerprint?: string,
  ) {
    super(message);
    this.name = "SshFailure";
  }

  /** Retrying cannot help until someone changes the host or its key. */
  get permanent(): boolean {
    return this.step === "host-key" || this.step === "authentication";
  }
}

/** How often ssh2 asks the server for a sign of life when the connection is otherwise quiet. */
export const KEEPALIVE_INTERVAL_MS = 10_000;

export type SshOptions = { readyTimeoutMs?: number; keepaliveIntervalMs?: number; keepaliveCountMax?: number };

type Attempt = { tcpConnected: boolean; offered?: string; mismatch: boolean; cipher?: string };

function describeFailure(target: SshTarget, error: Error & { level?: string; code?: string }, attempt: Attempt, timeoutMs: number): SshFailure {
  const where = `${target.name} (${target.address}:${target.port})`;
  if (attempt.mismatch) {
    return new SshFailure(
      "host-key",
      `host key for ${target.name} changed: refused (expected ${target.expectedFingerprint}, offered ${attempt.offered})`,
      attempt.offered,
    );
  }
  if (error.level === "client-authentication") {
    return new SshFailure(
      "authentication",
      `${target.name} rejected Warren's key for user ${target.username}: add the host's public key to ~${target.username}/.ssh/authorized_keys there`,
      attempt.offered,
    );
  }
  if (error.level === "client-timeout") {
    return attempt.tcpConnected
      ? new SshFailure("handshake", `${where} accepted the connection but did not complete the SSH handshake within ${timeoutMs / 1000} s`)
      : new SshFailure("network", `${where} did not answer within ${timeoutMs / 1000} s`);
  }
  switch (error.code) {
    case "ECONNREFUSED":
      return new SshFailure("network", `${where} refused the connection: is sshd running on port ${target.port}?`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new SshFailure("network", `cannot resolve ${target.address}, the address of ${target.name}`);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new SshFailure("network", `${where} is unreachable from the bastion`);
    case "ETIMEDOUT":
      return new SshFailure("network", `${where} did not answer in time`);
    case "ECONNRESET":
      return new SshFailure("handshake", `${where} closed the connection during the SSH handshake`);
  }
  return new SshFailure(attempt.tcpConnected ? "handshake" : "network", `${where}: SSH connection failed (${error.message})`);
}

// How much may wait in the SSH connection's socket before the tunnels feeding
// it pause (see sshSocketOf). ssh2 writes every packet without looking, so a
// fast source otherwise parks up to each channel's 2 MiB window in Warren's
// memory, for every connection at once (docs/performance.md, "Tunings").
const SEND_QUEUE_BYTES = 1024 * 1024;

const sshSockets = new WeakMap<Client, net.Socket>();

/** The socket under a client connectSsh made. Its writableNeedDrain is true
 *  while more than SEND_QUEUE_BYTES wait to be sent, until its "drain". */
export function sshSocketOf(client: Client): net.Socket | undefined {
  return sshSockets.get(client);
}

/** ssh2 hands the socket one write per SSH packet (32 KiB of data at most),
 *  and sshd then reads them one by one. Corked until this turn of the event
 *  loop has run its I/O callbacks (setImmediate), the packets of every read
 *  in it go out in a single writev. It must be installed after connect(),
 *  which puts the prototype's write back (docs/performance.md, "Tunings"). */
function coalesceWrites(socket: net.Socket) {
  const write = socket.write;
  socket.write = function (this: net.Socket, ...args: Parameters<typeof write>) {
    corkForTurn(socket);
    return write.apply(this, args);
  } as typeof write;
}

/** A turn of the event loop reads at most this per open channel from an
 *  SSH connection: a quarter of a channel's window (ssh2's 2 MiB). Without
 *  a bound, a connection that fell behind read all of a download's window
 *  in one turn before any of it reached the client, and sshd waited for
 *  window meanwhile (docs/performance.md, "Tunings"). */
const TURN_BYTES_PER_CHANNEL = 512 * 1024;

/** Channels open on the connection, those being opened too (ssh2 1.17's channel manager, not in its typings). */
export function openChannels(client: Client): number {
  return (client as unknown as { _chanMgr?: { _count: number } })._chanMgr?._count ?? 0;
}

function sshSocket(client: Client): net.Socket {
  // Node's typings omit the stream and onread options, though net.Socket takes them.
  const options: net.SocketConstructorOpts & { writableHighWaterMark: number; onread: net.OnReadOpts } = {
    writableHighWaterMark: SEND_QUEUE_BYTES,
    // With onread the socket emits no "data"; ssh2 listens for it, so the reads become "data" here.
    onread: slabReads((chunk) => socket.emit("data", chunk), {
      turnBytes: () => TURN_BYTES_PER_CHANNEL * Math.max(1, openChannels(client)),
      resume: () => socket.resume(),
    }),
  };
  const socket = new net.Socket(options);
  // ssh2 leaves Nagle on: request/response traffic through a tunnel then
  // stalls on delayed ACKs (docs/performance.md). Off from the first byte,
  // the handshake too.
  socket.setNoDelay(true);
  // One "drain" listener per paused tunnel connection.
  socket.setMaxListeners(0);
  return socket;
}

/** Resolves once authenticated, with the host key's fingerprint and the
 *  cipher negotiated (bastion to host). The caller owns the client from then
 *  on and must listen for its "error" and "close" events. */
export function connectSsh(target: SshTarget, options: SshOptions = {}): Promise<{ client: Client; fingerprint: string; cipher: string }> {
  const readyTimeout = options.readyTimeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const client = new Client();
    const attempt: Attempt = { tcpConnected: false, mismatch: false };
    const onError = (error: Error) => {
      client.end();
      reject(describeFailure(target, error, attempt, readyTimeout));
    };
    client.once("connect", () => (attempt.tcpConnected = true));
    client.once("handshake", (negotiated) => (attempt.cipher = negotiated.cs.cipher));
    client.once("error", onError);
    client.once("ready", () => {
      client.off("error", onError);
      resolve({ client, fingerprint: attempt.offered!, cipher: attempt.cipher! });
    });
    // Our own socket rather than ssh2's: see sshSocket() and sshSocketOf().
    const sock = sshSocket(client).connect({ host: target.address, port: target.port });
    // After connect(): it puts back the prototype's write, undoing any wrapper made before.
    coalesceWrites(sock);
    sshSockets.set(client, sock);
    client.connect({
      sock,
      host: target.address,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      passphrase: target.passphrase,
      readyTimeout,
      keepaliveInterval: options.keepaliveIntervalMs ?? KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        attempt.offered = fingerprintOf(key);
        attempt.mismatch = target.expectedFingerprint !== null && attempt.offered !== target.expectedFingerprint;
        return !attempt.mismatch;
      },
    });
  });
}
