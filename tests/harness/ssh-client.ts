// A test's own ssh2 connection to the harness sshd, for tests below the engine.
import type { Client } from "ssh2";
import { connectSsh } from "@/lib/ssh/ssh-connect";
import type { SshdHandle } from "@/tests/harness/sshd";

export interface SshClient {
  client: Client;
  /** Ends the connection and waits until it is gone, so that stopping sshd next cannot reset it;
   *  rejects with the connection's error if it broke before. */
  close(): Promise<void>;
}

/** Without a listener, an "error" event (ECONNRESET when sshd stops while the client's goodbye is
 *  unread) is thrown outside any test and fails the whole run: errors are kept for close(). */
export async function sshClient(sshd: SshdHandle, { name, checkHostKey = false }: { name: string; checkHostKey?: boolean }): Promise<SshClient> {
  const { client } = await connectSsh({
    ...{ name, address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey },
    expectedFingerprint: checkHostKey ? sshd.hostKeyFingerprint : null,
  });
  let broke: Error | undefined;
  client.on("error", (error) => (broke ??= error));
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  return {
    client,
    async close() {
      const before = broke;
      client.end();
      await closed;
      if (before) throw before;
    },
  };
}
