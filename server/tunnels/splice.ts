import type net from "node:net";
import type { Duplex } from "node:stream";
import type { ClientChannel } from "ssh2";
import { corkForTurn } from "@/lib/net/cork-for-turn";
import { holdForWrite } from "@/lib/ssh/slab-reads";
import type { TargetReads } from "@/server/tunnels/target-reads";

export type Meter = { bytesIn: number; bytesOut: number };

/** One connection through a tunnel: the TCP socket on Warren's side and its
 *  SSH channel. The socket is the client (local, dynamic) or the target (remote). */
export type SpliceEnds = {
  /** A TCP socket, or a stream standing in for one (a `warren connect` connection, relayed-socket.ts). */
  socket: Duplex;
  channel: ClientChannel;
  socketIs: "client" | "target";
  /** Every meter counts both ways: the connection's and its tunnel's. */
  meters: Meter[];
  /** The SSH connection's socket, for backpressure toward it. */
  sshSocket?: net.Socket;
  /** The socket's reads, when Warren opened it with targetReads(): they
   *  then come through here, in a reused buffer, instead of "data" events. */
  reads?: TargetReads;
  /** What was read from the socket before the splice (a SOCKS client's bytes after its request): sent first. */
  first?: Buffer;
};

/** How much may wait in the socket before ssh2 is told to stop granting
 *  the far end window (it then sends at most what it was granted). */
const SOCKET_QUEUE_BYTES = 1024 * 1024;

/** ssh2 1.17's raw channel write (not in its typings): sends what the far
 *  end's window allows at once, keeps the rest as `_chunk` and calls back
 *  once all of it went, after window adjustments if it had to wait. */
type RawWrite = { _write(chunk: Buffer, encoding: null, sent: () => void): void; _chunk?: Buffer };

/** Socket data straight into ssh2's packet writer, without the channel's
 *  Writable side or pipe. The socket pauses while ssh2 holds a chunk for
 *  want of window, and while the SSH connection's socket has more queued
 *  than it should (writableNeedDrain): ssh2 writes channel data into it
 *  regardless of backpressure, so a source faster than the link would
 *  otherwise queue there, up to each channel's window (SEND_QUEUE_BYTES in
 *  ssh-connect.ts says what that bought). The socket's end is the
 *  channel's EOF once all was sent. A remote tunnel's target is read into
 *  a shared buffer (target-reads.ts): ssh2 copies into its packet, and a
 *  chunk it holds is copied. Stream machinery per chunk was the cost it
 *  saves (docs/performance.md, "Tunings"). */
function carry(socket: Duplex, channel: ClientChannel, count: (bytes: number) => void, sshSocket?: net.Socket, reads?: TargetReads, first?: Buffer) {
  const raw = channel as unknown as RawWrite;
  const queued: Buffer[] = []; // reads that came while ssh2 held a chunk (those from before the splice)
  let held = false; // ssh2 holds a chunk for want of window
  let ended = false;
  let awaitingDrain = false;
  const resumeWhenClear = () => {
    if (held || ended || awaitingDrain) return;
    if (!sshSocket?.writableNeedDrain) return void socket.resume();
    awaitingDrain = true;
    sshSocket.once("drain", () => {
      awaitingDrain = false;
      resumeWhenClear();
    });
  };
  const send = (chunk: Buffer) => {
    held = true;
    raw._write(chunk, null, sent);
    // What ssh2 keeps of the shared read buffer is copied before the next read anywhere overwrites it.
    if (held && reads && raw._chunk) raw._chunk = Buffer.from(raw._chunk);
  };
  function sent() {
    held = false;
    const next = queued.shift();
    if (next) send(next);
    else if (ended) channel.end();
    else if (socket.isPaused()) resumeWhenClear();
  }
  const write = (chunk: Buffer) => {
    count(chunk.length);
    if (held) return void queued.push(reads ? Buffer.from(chunk) : chunk);
    send(chunk);
    if (!held && !sshSocket?.writableNeedDrain) return;
    socket.pause();
    resumeWhenClear();
  };
  if (first?.length) write(first);
  if (reads) reads.attach(write);
  else socket.on("data", write).resume(); // SOCKS negotiation leaves it paused
  const onEnd = () => {
    ended = true;
    if (!held) channel.end();
  };
  // Node emits "end" even while nobody reads, once nothing is buffered: a
  // client's FIN while the channel was opening (a port probe) came before us.
  if (socket.readableEnded) onEnd();
  else socket.once("end", onEnd);
}

/** ssh2 1.17's channel internals that window accounting needs (not in its typings). */
type ChannelWindow = {
  incoming: { window: number };
  outgoing: { id: number; state: string };
  _client: { _protocol: { channelWindowAdjust(id: number, bytes: number): void } };
};

const CHANNEL_WINDOW_BYTES = 2 * 1024 * 1024; // ssh2's MAX_WINDOW
const PACKET_BYTES = 32 * 1024; // ssh2's PACKET_SIZE

/** Tops the far end's window back up once more than three packets of it
 *  were delivered, as OpenSSH does (channel_check_window). ssh2 waits until
 *  half the window is used, and sshd then spends more CPU sending to
 *  Warren than to ssh (docs/performance.md, "Tunings"). */
function grantWindow(channel: ClientChannel) {
  const { incoming, outgoing, _client } = channel as unknown as ChannelWindow;
  const used = CHANNEL_WINDOW_BYTES - incoming.window;
  if (used <= 3 * PACKET_BYTES || outgoing.state === "closed") return;
  incoming.window += used;
  _client._protocol.channelWindowAdjust(outgoing.id, used);
}

/** Channel data straight into the socket, without the channel's Readable
 *  side: ssh2 hands each packet to `push`, which here writes it. The
 *  packets of this turn of the event loop leave in one writev (the socket
 *  is corked until setImmediate). Piping paid Readable buffering, "data"
 *  events and one write syscall per 32 KiB packet; corking until the turn's
 *  end rather than the tick's lets one SSH read's packets of several
 *  channels leave together (docs/performance.md, "Tunings"). Returning
 *  false makes ssh2 hold back window adjustments until the socket drains. */
function deliver(channel: ClientChannel, socket: Duplex, count: (bytes: number) => void) {
  const push = channel.push.bind(channel);
  let copy = false;
  // Views of the SSH connection's read slabs are written through holdForWrite (patches/ssh2: ssh2 copies otherwise).
  (channel as unknown as { _pushTakesViews: boolean })._pushTakesViews = true;
  channel.push = (chunk: Buffer | null) => {
    if (chunk === null) return push(null); // EOF and close go through the stream as ssh2 expects
    count(chunk.length);
    if (socket.destroyed) return true;
    // A socket already behind at the turn's first chunk would hold this
    // turn's chunks a while: copies, so they do not keep the SSH
    // connection's read slabs from reuse (slab-reads.ts).
    const behind = socket.writableLength > 0;
    if (corkForTurn(socket)) copy = behind;
    if (copy) socket.write(Buffer.from(chunk));
    else socket.write(chunk, holdForWrite(chunk));
    const keepGranting = socket.writableLength < SOCKET_QUEUE_BYTES;
    if (keepGranting) grantWindow(channel);
    return keepGranting;
  };
  // ssh2's destroy() is end() then close(); on a channel whose writing side
  // already finished, that end() builds an ERR_STREAM_ALREADY_FINISHED with
  // its stack (Node's stream auto-destroy calls it after every clean close),
  // a cost paid on every new connection (docs/performance.md).
  channel.destroy = () => {
    if (!channel.writableEnded) channel.end();
    channel.close();
    return channel;
  };
  // ssh2's _read sends the window adjustment it held back.
  socket.on("drain", () => channel._read(0));
  channel.once("end", () => socket.end());
  // What came before this (a banner that arrived with the channel's opening) is in the stream.
  for (let early: Buffer | null = channel.read(); early !== null; early = channel.read()) channel.push(early);
  // Flowing with nothing buffered: the EOF's push(null) ends it at once.
  channel.resume();
}

/** Carries a connection both ways, counting bytes into every meter (bytesOut:
 *  from the client, bytesIn: toward it). Half-closes pass through, so
 *  request/response protocols that shut down writing work. Resolves once
 *  the socket is gone and the channel closed (or was told to close by us),
 *  with the first error if any. */
export function splice({ socket, channel, socketIs, meters, sshSocket, reads, first }: SpliceEnds): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let firstError: Error | undefined;
    let socketClosed = false;
    let channelClosed = false;
    const settle = () => {
      if (socketClosed && channelClosed) resolve(firstError);
    };
    // One side went away while the other was being opened (e.g. a teardown).
    if (socket.destroyed || channel.destroyed) {
      socket.destroy();
      channel.destroy();
      return resolve(new Error("closed before the connection was established"));
    }
    const fail = (error: Error) => {
      firstError ??= error;
      socket.destroy();
      channel.destroy();
    };
    const fromSocket = socketIs === "client" ? "bytesOut" : "bytesIn";
    const fromChannel = socketIs === "client" ? "bytesIn" : "bytesOut";
    const counter = (key: keyof Meter) => (bytes: number) => {
      for (const meter of meters) meter[key] += bytes;
    };
    carry(socket, channel, counter(fromSocket), sshSocket, reads, first);
    deliver(channel, socket, counter(fromChannel));
    socket.on("error", fail);
    channel.on("error", fail);
    socket.once("close", () => {
      socketClosed = true;
      // An ssh2 channel we close may report "close" late, or only once drained;
      // having asked it to close is enough for this connection to be over.
      channel.destroy();
      channelClosed = true;
      settle();
    });
    channel.once("close", () => {
      channelClosed = true;
      // What the channel delivered is still on its way out: end, then close.
      if (!socket.writableEnded) socket.end();
      if (socket.writableFinished) socket.destroy();
      else socket.once("finish", () => socket.destroy());
      settle();
    });
  });
}
