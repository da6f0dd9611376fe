// sshd leaves Nagle on for a connection until it starts a session command
// (OpenSSH's ssh_packet_set_interactive), so the small packets it sends for
// a remote tunnel (the new connection, the replies) wait for delayed ACKs.
import type { Client } from "ssh2";

const NUDGE_TIMEOUT_MS = 2_000;
const nudged = new WeakSet<Client>();

/** Runs a harmless `true` once per SSH connection, so that sshd turns
 *  TCP_NODELAY on for good, and a remote tunnel's new connections stop
 *  stalling on delayed ACKs as `ssh -R`'s do (docs/performance.md). Local
 *  and dynamic tunnels gain nothing from it, so only remote tunnels ask
 *  for it. sshd logs it as a
 *  session. Best effort: a host that refuses sessions, or does not answer
 *  in time, just keeps Nagle. */
export function nudgeNoDelay(client: Client): Promise<void> {
  if (nudged.has(client)) return Promise.resolve();
  nudged.add(client);
  return new Promise((resolve) => {
    setTimeout(resolve, NUDGE_TIMEOUT_MS).unref();
    client.exec("true", (error, channel) => {
      if (!error) {
        // sshd set TCP_NODELAY as it started the command; nothing else is needed from it.
        channel.on("error", () => {});
        channel.resume();
        channel.stderr.resume();
        channel.close();
      }
      resolve();
    });
  });
}
