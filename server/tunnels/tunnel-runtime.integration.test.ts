// One TunnelRuntime over a real ssh2 connection to OpenSSH's sshd, without
// the engine or its database: what a connection reports when it closes.
import net from "node:net";
import type { Client } from "ssh2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hostPolicySchema } from "@/lib/validation/host-policy";
import type { ConnectionRecord, RuntimeTunnel } from "@/server/tunnels/data-plane-protocol";
import { ChannelPool } from "@/server/tunnels/channel-pool";
import { TunnelRuntime } from "@/server/tunnels/tunnel-runtime";
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

/** A SOCKS tunnel's runtime on a free port, attached to the SSH connection; resolves its first connection's record. */
async function socksRuntime() {
  const policy = hostPolicySchema.parse({
    kinds: ["dynamic"],
    targets: ["127.0.0.0/8"],
    ports: ["1-65535"],
    publicBinds: false,
    anySource: true,
    approval: false,
    defaultTtlMinutes: 60,
    maxTtlMinutes: 60,
    maxOpenPerUser: 10,
    maxPendingPerUser: 5,
  });
  const port = await freePortInRange();
  const tunnel: RuntimeTunnel = {
    ...{
      id: "t",
      kind: "dynamic",
      ownerId: "o",
      ownerEmail: "o@example.com",
      teamId: null,
      hostId: "h",
      hostName: "lab",
      hostAddress: sshd.host,
      listenAddress: "127.0.0.1",
    },
    ...{
      listenPort: port,
      targetHost: null,
      targetPort: null,
      targetClient: false,
      allowedSources: [],
      policy,
      expiresAt: new Date(Date.now() + 3_600_000),
      idleMinutes: null,
    },
  };
  let closed!: (event: ConnectionRecord) => void;
  const closedEvent = new Promise<ConnectionRecord>((resolve) => (closed = resolve));
  const runtime = new TunnelRuntime(
    tunnel,
    {
      connectionOpened() {},
      connectionClosed: (event) => closed(event),
      connectionRefused() {},
      refusingNew: () => null,
      relayToClient: () => {
        throw new Error("these tunnels have no warren expose client");
      },
    },
    { bytesIn: 0, bytesOut: 0, connectionsTotal: 0 },
    ChannelPool.of(client),
  );
  await runtime.listen();
  await runtime.attach(client);
  return { runtime, port, closedEvent };
}

/** Greeting and a CONNECT to 127.0.0.1:port, as one SOCKS5 client write (2 + 10 bytes of replies come back). */
const socksConnect = (port: number) => Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]);

it("delivers the data and the end a SOCKS client sent in one write with its request", async () => {
  // A target that answers once the client has ended: what it received, and that the end came.
  const target = net.createServer({ allowHalfOpen: true }, (socket) => {
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    socket.once("end", () => socket.end(`got ${JSON.stringify(received)} and the end`));
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  const { runtime, port, closedEvent } = await socksRuntime();
  try {
    const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    // Request, payload and FIN at once, as a client that has nothing more to say (a half-close).
    socket.end(Buffer.concat([socksConnect((target.address() as net.AddressInfo).port), Buffer.from("ping")]));
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.once("end", () => resolve(Buffer.concat(chunks)));
      socket.once("error", reject);
    });
    expect(received.subarray(0, 4)).toEqual(Buffer.from([5, 0, 5, 0])); // no auth, then "succeeded"
    expect(received.subarray(12).toString()).toBe('got "ping" and the end');
    expect(await closedEvent).toMatchObject({ bytesOut: 4, error: null });
  } finally {
    await runtime.teardown();
    target.close();
  }
});

it("counts what a SOCKS client sent in the same write as its request", async () => {
  const { runtime, port, closedEvent } = await socksRuntime();
  try {
    const socket = net.connect({ host: "127.0.0.1", port });
    const request = socksConnect(echo.port);
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
