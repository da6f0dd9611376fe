// splice() between a real loopback socket and a real ssh2 channel through
// OpenSSH's sshd: the cases its fast paths must not lose or mix bytes in.
import { createHash } from "node:crypto";
import net from "node:net";
import type { Client, ClientChannel } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sshSocketOf } from "@/lib/ssh/ssh-connect";
import { startOrigin, type Origin } from "@/tests/harness/origin";
import { sshClient, type SshClient } from "@/tests/harness/ssh-client";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { splice, type Meter } from "@/server/tunnels/splice";
import { targetReads } from "@/server/tunnels/target-reads";

let sshd: SshdHandle;
let origin: Origin;
/** Small enough to reach Warren whole while nobody reads (loopback's socket buffers,
 *  SOCKET_QUEUE_BYTES and the rest of a window), so its channel closes first. */
let smallOrigin: Origin;
/** More than loopback's buffers, sshd's and a window hold while its reader stalls. */
let bigOrigin: Origin;
let ssh: SshClient;
let client: Client;

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

beforeAll(async () => {
  [sshd, origin, smallOrigin, bigOrigin] = await Promise.all([
    startSshd(),
    startOrigin({ size: 4 * 1024 * 1024 }),
    startOrigin({ size: 3 * 1024 * 1024, seed: 2 }),
    startOrigin({ size: 32 * 1024 * 1024, seed: 3 }),
  ]);
  ssh = await sshClient(sshd, { name: "splice" });
  ({ client } = ssh);
});

afterAll(async () => {
  await ssh?.close();
  await Promise.all([sshd?.dispose(), origin?.close(), smallOrigin?.close(), bigOrigin?.close()]);
});

function channelTo(target: { port: number }): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.forwardOut("127.0.0.1", 0, "127.0.0.1", target.port, (error, channel) => (error ? reject(error) : resolve(channel))),
  );
}

/** A server that reads nothing for `stallMs`, then everything, and resolves with what it read (then hangs up). */
async function stallingSink(stallMs: number): Promise<{ port: number; received: Promise<Buffer> }> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const received = new Promise<Buffer>((resolve, reject) =>
    server.once("connection", (socket) => {
      server.close();
      // Listening from the start, reading only after the stall: an end that comes first (nothing to read) is still heard.
      socket.pause();
      const all = readAll(socket);
      void all.finally(() => socket.end());
      all.then(resolve, reject);
      setTimeout(() => socket.resume(), stallMs);
    }),
  );
  return { port: (server.address() as net.AddressInfo).port, received };
}

/** A connected loopback pair: Warren's end (allowHalfOpen, as its listeners) and a client that has not started reading. */
async function socketPair(): Promise<{ warrenSide: net.Socket; clientSide: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const clientSide = net.connect({ host: "127.0.0.1", port: (server.address() as net.AddressInfo).port });
  const warrenSide = await accepted;
  server.close();
  return { warrenSide, clientSide };
}

function readAll(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    socket.once("end", () => resolve(Buffer.concat(chunks)));
    socket.once("error", reject);
  });
}

describe("splice", () => {
  it("delivers what the channel received before it was spliced (a target that speaks first)", async () => {
    const channel = await channelTo(origin);
    // The origin writes at once: let the first window's worth arrive in the channel's stream.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { warrenSide, clientSide } = await socketPair();
    const meter: Meter = { bytesIn: 0, bytesOut: 0 };
    const received = readAll(clientSide);
    const done = splice({ socket: warrenSide, channel, socketIs: "client", meters: [meter], sshSocket: sshSocketOf(client) });
    expect(sha256(await received)).toBe(origin.sha256);
    clientSide.end();
    expect(await done).toBeUndefined();
    expect(meter.bytesIn).toBe(origin.payload.length);
  });

  it("flushes everything to a client that asked, shut down writing and reads late, though the channel closed", async () => {
    const channel = await channelTo(smallOrigin);
    const { warrenSide, clientSide } = await socketPair();
    clientSide.pause();
    clientSide.end();
    const closed = new Promise((resolve) => channel.once("close", resolve));
    const done = splice({ socket: warrenSide, channel, socketIs: "client", meters: [], sshSocket: sshSocketOf(client) });
    await closed;
    // The channel is gone; the bytes wait in Warren's socket and the kernel's buffers for a reader.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received = readAll(clientSide);
    clientSide.resume();
    expect(sha256(await received)).toBe(smallOrigin.sha256);
    expect(await done).toBeUndefined();
  });

  it("passes on a client's end that came while the channel was opening (a port probe's FIN)", async () => {
    const sink = await stallingSink(0);
    const { warrenSide, clientSide } = await socketPair();
    clientSide.end();
    // Node reports the end while nobody reads, before the splice is there to hear it.
    await new Promise((resolve) => warrenSide.once("end", resolve));
    const channel = await channelTo(sink);
    const done = splice({ socket: warrenSide, channel, socketIs: "client", meters: [], sshSocket: sshSocketOf(client) });
    expect((await sink.received).length).toBe(0); // the target saw the end, so it answered and hung up
    expect(await done).toBeUndefined();
  });

  /** A local tunnel's connection to `target`: the channel spliced into a socket whose client reads after `stallMs`. */
  async function clientConnection(target: Origin, stallMs: number) {
    const channel = await channelTo(target);
    const { warrenSide, clientSide } = await socketPair();
    clientSide.pause();
    const done = splice({ socket: warrenSide, channel, socketIs: "client", meters: [], sshSocket: sshSocketOf(client) });
    await new Promise((resolve) => setTimeout(resolve, stallMs));
    const received = readAll(clientSide);
    clientSide.resume();
    clientSide.end();
    return { received: await received, done: await done };
  }

  it("keeps the SSH connection's reused read slabs from overwriting what a stalled client's socket or an unspliced channel holds", async () => {
    // Both hold views or copies of channel data while 32 MiB flow through the same connection's slabs.
    const unspliced = await channelTo(origin);
    const stalled = clientConnection(bigOrigin, 1500);
    const flowing = await clientConnection(bigOrigin, 0);
    expect(sha256(flowing.received)).toBe(bigOrigin.sha256);
    const { warrenSide, clientSide } = await socketPair();
    const late = readAll(clientSide);
    splice({ socket: warrenSide, channel: unspliced, socketIs: "client", meters: [], sshSocket: sshSocketOf(client) });
    expect(sha256(await late)).toBe(origin.sha256);
    expect(sha256((await stalled).received)).toBe(bigOrigin.sha256);
  });

  /** A remote tunnel's connection: a target read through targetReads(), spliced into a channel to `far`. */
  async function targetConnection(target: Origin, far: { port: number }) {
    const channel = await channelTo(far);
    const reads = targetReads();
    const socket = net.connect({ host: "127.0.0.1", port: target.port, allowHalfOpen: true, onread: reads.onread });
    await new Promise((resolve) => socket.once("connect", resolve));
    const meter: Meter = { bytesIn: 0, bytesOut: 0 };
    return { meter, done: splice({ socket, channel, socketIs: "target", meters: [meter], sshSocket: sshSocketOf(client), reads }) };
  }

  it("carries targets' reads (one shared buffer) whole to a far end that stalls past the window, while another flows", async () => {
    const [stalling, flowing] = await Promise.all([stallingSink(600), stallingSink(0)]);
    const stalled = await targetConnection(bigOrigin, stalling);
    // Its reads go through the same buffer while the stalled connection's window is spent.
    const other = await targetConnection(origin, flowing);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // While the far end stalls, Warren stops reading: what it took is bounded by the window and the buffers after it.
    expect(stalled.meter.bytesIn).toBeLessThan(bigOrigin.payload.length / 2);
    expect(sha256(await flowing.received)).toBe(origin.sha256);
    expect(sha256(await stalling.received)).toBe(bigOrigin.sha256);
    expect(await Promise.all([stalled.done, other.done])).toEqual([undefined, undefined]);
    expect(stalled.meter.bytesIn).toBe(bigOrigin.payload.length); // a target's bytes go toward the client
  });
});
