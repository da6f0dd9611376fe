// Loopback traffic for the bench. A bulk source streams as many bytes as each
// connection asks for (an 8-byte big-endian count), or takes an upload's;
// clients download, upload, ping an echo server, and reach either through a
// plain port or a SOCKS5 proxy.
import { randomBytes } from "node:crypto";
import net from "node:net";
import type { TcpServer } from "@/tests/harness/origin";

export type Service = "bulk" | "echo";
export type Dial = (service: Service) => Promise<Connection>;
type Receiver = (bytes: Buffer) => void;
export type Ports = Record<Service, number>;

// Random bytes, written again and again: no per-write allocation, nothing a
// compressor could shrink.
const BLOCK = randomBytes(1 << 20);
const READ_BUFFER = Buffer.allocUnsafe(1 << 20);
const IDLE_TIMEOUT_MS = 60_000;

function closedOrDrained(socket: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      socket.off("drain", onDrain);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("closed while sending"));
    socket.once("drain", onDrain);
    socket.once("close", onClose);
  });
}

/** Writes `count` bytes, waiting for the socket to drain whenever it asks to. */
async function writeBytes(socket: net.Socket, count: number): Promise<void> {
  for (let left = count; left > 0; ) {
    const length = Math.min(left, BLOCK.length);
    left -= length;
    if (!socket.write(length === BLOCK.length ? BLOCK : BLOCK.subarray(0, length))) await closedOrDrained(socket);
  }
}

/** A request's top bit marks an upload; the rest is the byte count. */
const UPLOAD = 1n << 63n;
/** What the source answers once an upload's last byte arrived. */
const RECEIPT = Buffer.from([1]);

/** Node gives a reused read buffer (`onread`) only to sockets it creates; an
 *  accepted socket's reads each land in a fresh 64 KiB buffer, whose cold
 *  pages made the source's side of an upload cost more than a tunnel's. So a
 *  socket created here takes over the accepted one's handle (the server pauses
 *  on connect: nothing was read yet), and the accepted one is destroyed
 *  without it, which the server counts as a closed connection. */
function adopt(accepted: net.Socket, receiver: Receiver): net.Socket {
  const shell = accepted as unknown as { _handle: object | null };
  const handle = shell._handle;
  if (!handle) throw new Error("an accepted socket without its handle: Node's net internals changed");
  shell._handle = null;
  accepted.destroy();
  const callback = (length: number) => {
    receiver(READ_BUFFER.subarray(0, length));
    return true;
  };
  return new net.Socket({ handle, onread: { buffer: READ_BUFFER, callback } } as net.SocketConstructorOpts);
}

/** Reads a request, then sends its bytes and ends, or counts an upload's and sends the receipt. */
function serve(accepted: net.Socket) {
  let header = Buffer.alloc(0);
  let receiver: Receiver = (bytes) => {
    header = Buffer.concat([header, bytes]);
    if (header.length < 8) return;
    const request = header.readBigUInt64BE(0);
    if (request & UPLOAD) {
      let left = Number(request ^ UPLOAD);
      receiver = (bytes) => {
        left -= bytes.length;
        if (left > 0) return;
        receiver = () => {};
        socket.end(RECEIPT);
      };
      receiver(header.subarray(8));
      return;
    }
    receiver = () => {};
    writeBytes(socket, Number(request))
      .then(() => socket.end())
      .catch(() => socket.destroy());
  };
  const socket = adopt(accepted, (bytes) => receiver(bytes));
  socket.on("error", () => socket.destroy());
}

/** Downloads ask it for a count of bytes (an 8-byte big-endian number); uploads send theirs after it (upload()). */
export function startBulkSource(): Promise<TcpServer> {
  const server = net.createServer({ noDelay: true, pauseOnConnect: true }, serve);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        host: "127.0.0.1",
        port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** A client connection whose reads land in one shared buffer and go to the current receiver. */
export class Connection {
  readonly socket: net.Socket;
  private receiver: Receiver = () => {};
  /** Bytes that arrived before anyone listened for them (after a SOCKS reply). */
  private pending = Buffer.alloc(0);

  constructor(port: number) {
    // Reading into one reused buffer instead of a new Buffer per read keeps
    // the bench's own cost low (docs/performance.md, "The bench itself").
    this.socket = net.connect({
      host: "127.0.0.1",
      port,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (length) => this.deliver(READ_BUFFER.subarray(0, length)) },
    });
    // Errors after the connect reach whoever waits on the socket through "close".
    this.socket.on("error", () => {});
  }

  /** Hands every byte from now on, and any kept ones, to `receiver`; it must copy what it keeps. */
  receive(receiver: Receiver) {
    this.receiver = receiver;
    const kept = this.pending;
    this.pending = Buffer.alloc(0);
    if (kept.length) receiver(kept);
  }

  keep(bytes: Buffer) {
    this.pending = Buffer.from(bytes);
  }

  private deliver(bytes: Buffer): boolean {
    this.receiver(bytes);
    return true;
  }
}

function connect(port: number): Promise<Connection> {
  const connection = new Connection(port);
  return new Promise((resolve, reject) => {
    connection.socket.once("connect", () => {
      connection.socket.off("error", reject);
      resolve(connection);
    });
    connection.socket.once("error", reject);
  });
}

export function tcpDialer(ports: Ports): Dial {
  return (service) => connect(ports[service]);
}

/** Greeting and CONNECT in one write, as curl does; the reply is consumed, anything after it kept. */
export function socksDialer(proxyPort: number, targets: Ports): Dial {
  return async (service) => {
    const connection = await connect(proxyPort);
    const port = targets[service];
    connection.socket.write(Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]));
    await socksReply(connection);
    return connection;
  };
}

function socksReply(connection: Connection): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onClose = () => reject(new Error("SOCKS proxy closed the connection"));
    connection.socket.once("close", onClose);
    connection.receive((bytes) => {
      got = Buffer.concat([got, bytes]);
      if (got.length < 6) return;
      if (got[0] !== 5 || got[1] !== 0 || got[3] !== 0) {
        connection.socket.destroy();
        return reject(new Error(`SOCKS refused: ${got.subarray(0, 6).toString("hex")}`));
      }
      // 2 bytes of method choice, then VER REP RSV ATYP, the bound address, 2 bytes of port.
      const addressLength = got[5] === 1 ? 4 : got[5] === 4 ? 16 : 1 + (got[6] ?? 0);
      const end = 2 + 4 + addressLength + 2;
      if (got.length < end) return;
      connection.socket.off("close", onClose);
      connection.receive(() => {});
      connection.keep(got.subarray(end));
      resolve();
    });
  });
}

/** Asks the bulk source for `count` bytes and resolves once exactly that many arrived. */
export async function download(dial: Dial, count: number): Promise<void> {
  const connection = await dial("bulk");
  const { socket } = connection;
  await new Promise<void>((resolve, reject) => {
    let received = 0;
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
    connection.receive((bytes) => (received += bytes.length));
    socket.once("end", () => (received === count ? resolve() : reject(new Error(`received ${received} of ${count} bytes`))));
    socket.once("close", (hadError) =>
      reject(new Error(hadError ? `connection failed after ${received} bytes` : `closed after ${received} of ${count} bytes`)),
    );
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(count));
    socket.write(header);
  });
}

/** Sends `count` bytes to the bulk source and resolves once it says every one arrived. The
 *  connection is ended only then: the receipt needs no half-closed tunnel. */
export async function upload(dial: Dial, count: number): Promise<void> {
  const connection = await dial("bulk");
  const { socket } = connection;
  await new Promise<void>((resolve, reject) => {
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy(new Error(`nothing moved for ${IDLE_TIMEOUT_MS / 1000} s`)));
    connection.receive(() => resolve());
    socket.once("close", (hadError) => reject(new Error(hadError ? "connection failed while uploading" : "closed before the upload's receipt")));
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(UPLOAD | BigInt(count));
    socket.write(header);
    writeBytes(socket, count).catch(reject);
  });
  socket.end();
}

const PING = Buffer.from([0x2a]);

/** `count` round trips one after another: each one's milliseconds. */
export async function roundTrips(dial: Dial, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await roundTrip(dial));
  return samples;
}

/** Milliseconds from starting the connection to the echoed byte. */
async function roundTrip(dial: Dial): Promise<number> {
  const started = performance.now();
  const connection = await dial("echo");
  try {
    await new Promise<void>((resolve, reject) => {
      connection.receive(() => resolve());
      connection.socket.once("close", () => reject(new Error("closed before the reply")));
      connection.socket.write(PING);
    });
    return performance.now() - started;
  } finally {
    connection.socket.end();
  }
}
