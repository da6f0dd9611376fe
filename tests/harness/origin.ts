import { createHash } from "node:crypto";
import net from "node:net";

export interface TcpServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

export interface Origin extends TcpServer {
  /** The bytes every connection receives. */
  readonly payload: Buffer;
  /** Hex SHA-256 of `payload`. */
  readonly sha256: string;
  /** Connections accepted so far. */
  readonly connections: number;
}

/**
 * A TCP server that writes a fixed pseudo-random payload to every connection and
 * then ends it. Random-looking bytes (not zeros) make truncation, reordering and
 * corruption show up in the checksum, and defeat SSH compression.
 */
export async function startOrigin(options: { size?: number; host?: string; port?: number; seed?: number } = {}): Promise<Origin> {
  // A distinct seed per origin tells, from the checksum alone, which one answered.
  const payload = seededBytes(options.size ?? 1024 * 1024, options.seed);
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.on("error", () => socket.destroy());
    socket.end(payload);
  });
  const { host, port, close } = await listen(server, options.host, options.port);
  return {
    host,
    port,
    payload,
    sha256: createHash("sha256").update(payload).digest("hex"),
    get connections() {
      return connections;
    },
    close,
  };
}

/** A TCP server that echoes everything back and ends its side when the peer does. */
export async function startEchoServer(options: { host?: string } = {}): Promise<TcpServer> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
  return listen(server, options.host);
}

/**
 * Connects to `host:port`, optionally sends `send` and half-closes, and resolves
 * with everything received once the server ends the connection.
 */
export function fetchAll(host: string, port: number, send?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port, allowHalfOpen: true });
    socket.once("connect", () => {
      if (send !== undefined) socket.end(send);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.once("error", reject);
  });
}

/** Deterministic bytes from a mulberry32 generator, so every run sends the same payload. */
function seededBytes(size: number, seed = 0x5eed): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0;
  for (let offset = 0; offset < size; offset += 4) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const word = (t ^ (t >>> 14)) >>> 0;
    for (let i = 0; i < 4 && offset + i < size; i++) bytes[offset + i] = (word >>> (8 * i)) & 0xff;
  }
  return bytes;
}

/** Listens on `port` (default a free one) and returns a close() that also destroys open sockets, so tests never hang. */
function listen(server: net.Server, host = "127.0.0.1", port = 0): Promise<TcpServer> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error(`no TCP address for ${host}`));
        return;
      }
      const close = () =>
        new Promise<void>((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve({ host, port: address.port, close });
    });
  });
}

/** Connects from 127.0.0.1 through `port` to an echo server: the open socket if the echo answers, null if the connection is refused or dropped. */
export function echoing(port: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => resolve(null));
    socket.once("close", () => resolve(null));
    socket.once("data", () => resolve(socket));
    socket.write("ping");
  });
}
