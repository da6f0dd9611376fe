// One TunnelRuntime over a real ssh2 connection to OpenSSH's sshd, without
// the engine or its database: what a connection reports when it closes.
import net from "node:net";
import type { Client } from "ssh2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hostPolicySchema } from "@/lib/validation/host-policy";
import { TunnelRuntime, type ConnectionRecord, type RuntimeTunnel } from "@/server/tunnels/tunnel-runtime";
import { freePortInRange } from "@/tests/harness/free-port";
import { startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { sshClient, type SshClient } from "@/tests/harness/ssh-client";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";

let sshd: SshdHandle;
let echo: TcpServer;
let ssh: SshClient;
let client: Client;

beforeAll(async () => {
  [sshd, echo] = await Promise.all([startSshd(), startEchoServer()]);
  ssh = await sshClient(sshd, { name: "runtime" });
  ({ client } = ssh);
});

afterAll(async () => {
  await ssh?.close();
  await Promise.all([sshd?.dispose(), echo?.close()]);
});

it("counts what a SOCKS client sent in the same write as its request", async () => {
  const policy = hostPolicySchema.parse({ kinds: ["dynamic"], targets: ["127.0.0.0/8"], ports: ["1-65535"], publicBinds: false, anySource: true, approval: false, defaultTtlMinutes: 60, maxTtlMinutes: 60, maxOpenPerUser: 10, maxPendingPerUser: 5 });
  const tunnel: RuntimeTunnel = {
    ...{ id: "t", kind: "dynamic", ownerId: "o", teamId: null, hostId: "h", hostName: "lab", hostAddress: sshd.host, listenAddress: "127.0.0.1" },
    ...{ listenPort: await freePortInRange(), targetHost: null, targetPort: null, allowedSources: [], policy, expiresAt: new Date(Date.now() + 3_600_000) },
  };
  let closed!: (event: ConnectionRecord) => void;
  const closedEvent = new Promise<ConnectionRecord>((resolve) => (closed = resolve));
  const runtime = new TunnelRuntime(tunnel, { connectionOpened() {}, connectionClosed: (event) => closed(event), connectionRefused() {} }, { bytesIn: 0, bytesOut: 0, connectionsTotal: 0 });
  await runtime.listen();
  await runtime.attach(client);
  try {
    const socket = net.connect({ host: "127.0.0.1", port: tunnel.listenPort });
    const request = Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, echo.port >> 8, echo.port & 0xff]);
    // Greeting, request and payload at once, without waiting for the replies (2 + 10 bytes).
    socket.write(Buffer.concat([request, Buffer.from("ping")]));
    const received = await new Promise<Buffer>((resolve) => {
      let all = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        all = Buffer.concat([all, chunk]);
        if (all.length >= 12 + 4) resolve(all);
      });
    });
    expect(received.subarray(12).toString()).toBe("ping");
    socket.end();
    expect(await closedEvent).toMatchObject({ destination: `127.0.0.1:${echo.port}`, bytesOut: 4, bytesIn: 4, error: null });
  } finally {
    await runtime.teardown();
  }
});
