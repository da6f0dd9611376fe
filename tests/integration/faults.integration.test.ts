// Hosts that misbehave below SSH: one accepts TCP and never speaks, one
// sends its banner and stalls. Warren must time out with a reason a person
// understands, and leave no listener behind. And a target that accepts and
// never reads: backpressure must hold the sender back instead of Warren's
// memory filling up.
import { readFileSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair } from "@/lib/ssh/ssh-keys";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

// A throwaway key, made here: these hosts never get as far as authentication.
const KEY = generateKeyPair("faults").privateKey;

let warren: WarrenHandle;
let sshd: SshdHandle;
let admin: ApiClient;
const servers: net.Server[] = [];

async function misbehavingHost(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  [warren, sshd] = await Promise.all([startWarren(), startSshd()]);
  await warren.createUser({ email: "admin@example.com", password: "correct horse battery", admin: true });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
});

afterAll(async () => {
  for (const server of servers) server.close();
  await Promise.all([warren?.dispose(), sshd?.dispose()]);
});

type Check = { step: string; ok: boolean; message: string };

describe("a host that never completes the SSH handshake", () => {
  it.each([
    ["accepts TCP and never speaks", () => {}],
    ["sends its banner and stalls", (socket: net.Socket) => socket.write("SSH-2.0-OpenSSH_9.2p1 Debian\r\n")],
  ])(
    "%s: the test names the handshake, a tunnel fails with the reason and frees its port",
    async (_name, behave) => {
      const port = await misbehavingHost(behave);
      const host = (await admin.post<{ id: string }>("/hosts", { name: `silent-${port}`, address: "127.0.0.1", port, username: "root", privateKey: KEY })).body;
      const expected = `silent-${port} (127.0.0.1:${port}) accepted the connection but did not complete the SSH handshake within`;

      const test = await admin.post<{ ok: boolean; checks: Check[] }>(`/hosts/${host.id}/test`);
      expect(test.body.ok).toBe(false);
      expect(test.body.checks.at(-1)).toMatchObject({ step: "handshake", ok: false });
      expect(test.body.checks.at(-1)!.message).toContain(expected);

      const listenPort = await freePortInRange();
      const tunnel = await admin.post<{ status: string; statusReason: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: listenPort } });
      expect(tunnel.status).toBe(201);
      expect(tunnel.body.status).toBe("failed");
      expect(tunnel.body.statusReason).toContain(expected);
      const freed = await new Promise<boolean>((resolve) => {
        const probe = net.connect({ host: "127.0.0.1", port: listenPort });
        probe.once("connect", () => resolve(false));
        probe.once("error", () => resolve(true));
      });
      expect(freed).toBe(true);
      expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(200);
    },
    60_000,
  );
});

const MIB = 1024 * 1024;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) * 1024;

describe("a target that accepts and never reads", () => {
  it("holds the sender back instead of buffering in Warren, and lets go of the connection when the tunnel closes", async () => {
    const sink: net.Socket[] = [];
    const targetPort = await misbehavingHost((socket) => {
      socket.pause(); // never reads: its receive window fills and stays full
      sink.push(socket);
    });
    const host = (
      await admin.post<{ id: string }>("/hosts", {
        name: "sink-host",
        address: sshd.host,
        port: sshd.port,
        username: sshd.username,
        privateKey: sshd.privateKey,
      })
    ).body;
    const port = await freePortInRange();
    const tunnel = (
      await admin.post<{ id: string; status: string }>("/tunnels", {
        hostId: host.id,
        kind: "local",
        listen: { port },
        target: { host: "127.0.0.1", port: targetPort },
      })
    ).body;
    expect(tunnel.status).toBe("active");
    const live = () => admin.get<{ bytesOut: number; connections: number }>(`/tunnels/${tunnel.id}`).then((r) => r.body);
    const rssBefore = rssOf(warren.pid!);

    // 256 MiB offered at once, ignoring backpressure on our side: only what
    // Warren accepts leaves this process.
    const sender = net.connect({ host: "127.0.0.1", port });
    sender.on("error", () => {});
    await new Promise((resolve) => sender.once("connect", resolve));
    for (let i = 0; i < 256; i++) sender.write(Buffer.alloc(MIB, i));
    // Wait until the flow stops: ten readings in a row with the same count.
    let same = 0;
    let last = -1;
    const stalled = await waitFor(
      live,
      (t) => {
        same = t.bytesOut > 0 && t.bytesOut === last ? same + 1 : 0;
        last = t.bytesOut;
        return same >= 10;
      },
      60_000,
      "the flow to stop",
    );
    expect(stalled.bytesOut).toBeLessThan(64 * MIB);
    expect(rssOf(warren.pid!) - rssBefore).toBeLessThan(64 * MIB);
    expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(200);

    // Held back, Warren does not read from the sender, so it cannot notice the
    // sender leaving either (OpenSSH's ssh -L stops polling such a socket
    // too): closing the tunnel is what lets go of it, with its record.
    sender.destroy();
    const closed = await admin.delete<{ status: string }>(`/tunnels/${tunnel.id}`);
    expect(closed.body.status).toBe("closed");
    expect(await live()).toMatchObject({ connections: 0 });
    const history = await admin.get<{ connections: { bytesOut: number }[] }>(`/tunnels/${tunnel.id}/history`);
    expect(history.body.connections).toEqual([expect.objectContaining({ bytesOut: stalled.bytesOut })]);
    const freed = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ host: "127.0.0.1", port });
      probe.once("connect", () => resolve(false));
      probe.once("error", () => resolve(true));
    });
    expect(freed).toBe(true);
    for (const socket of sink) socket.destroy();
  }, 120_000);
});
