// The SSH connection's own socket against a real sshd: the tunings that
// ssh-connect.ts and slab-reads.ts make must still be in effect once it is up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "ssh2";
import { sshSocketOf } from "@/lib/ssh/ssh-connect";
import { sshClient, type SshClient } from "@/tests/harness/ssh-client";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";

let sshd: SshdHandle;
let ssh: SshClient;
let client: Client;

beforeAll(async () => {
  sshd = await startSshd();
  ssh = await sshClient(sshd, { name: "lab", checkHostKey: true });
  ({ client } = ssh);
});

afterAll(async () => {
  await ssh?.close();
  await sshd?.dispose();
});

describe("the SSH connection's socket", () => {
  it("holds the packets of one turn of the event loop for a single writev", async () => {
    const socket = sshSocketOf(client)!;
    let writevs = 0;
    let writes = 0;
    const { _writev, _write } = socket as unknown as { _writev: (...args: unknown[]) => void; _write: (...args: unknown[]) => void };
    Object.assign(socket, {
      _writev: (...args: unknown[]) => {
        writevs++;
        return _writev.apply(socket, args);
      },
      _write: (...args: unknown[]) => {
        writes++;
        return _write.apply(socket, args);
      },
    });
    // Three channel opens in one turn: three packets.
    const opened = [1, 2, 3].map(
      () =>
        new Promise<void>((resolve, reject) =>
          client.forwardOut("127.0.0.1", 0, "127.0.0.1", sshd.port, (error, channel) => {
            if (error) return reject(error);
            channel.close();
            resolve();
          }),
        ),
    );
    expect(socket.writableCorked).toBe(1);
    // The uncork was scheduled first, so it has run by now.
    await new Promise((resolve) => setImmediate(resolve));
    expect({ writevs, writes }).toEqual({ writevs: 1, writes: 0 });
    await Promise.all(opened);
  });

  it("reads into slabs: the chunks ssh2 parses are views into a larger buffer", async () => {
    const socket = sshSocketOf(client)!;
    const chunk = new Promise<Buffer>((resolve) => socket.once("data", resolve));
    client.forwardOut("127.0.0.1", 0, "127.0.0.1", sshd.port, (_error, channel) => channel?.close());
    expect((await chunk).buffer.byteLength).toBe(1024 * 1024);
  });
});
