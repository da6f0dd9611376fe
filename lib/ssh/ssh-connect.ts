// Opens one authenticated SSH connection with ssh2 and explains any failure
// in words a person understands, naming the step that failed.
import { Client } from "ssh2";
import { fingerprintOf } from "@/lib/ssh/ssh-keys";

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
      // ssh2 leaves Nagle on: request/response traffic through a tunnel then
      // stalls on delayed ACKs (41 ms median per new connection; 0.6 ms with
      // it off, see PERF-NOTES.md).
      client.setNoDelay(true);
      resolve({ client, fingerprint: attempt.offered!, cipher: attempt.cipher! });
    });
    client.connect({
      host: target.address,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      passphrase: target.passphrase,
      readyTimeout,
      keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        attempt.offered = fingerprintOf(key);
        attempt.mismatch = target.expectedFingerprint !== null && attempt.offered !== target.expectedFingerprint;
        return !attempt.mismatch;
      },
    });
  });
}
