import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Asks the kernel for an unused TCP port on `host` by binding port 0. The port
 * is released before returning, so another process could grab it first; callers
 * that bind it later should expect a (rare) EADDRINUSE.
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close(() => reject(new Error(`no TCP address for ${host}`)));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Resolves once `host:port` accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForPort(port: number, host = "127.0.0.1", timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accepts(port, host)) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not accept connections within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A free port inside [min, max], for listeners that must stay in Warren's allowed range. */
export async function freePortInRange(min = 20000, max = 29999, host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${min}-${max} on ${host}`);
}

/** Polls `read` until `done` holds for its value; rejects with the last value after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await sleep(100);
  }
  throw new Error(
    `${what} not reached within ${timeoutMs} ms; last value: ${JSON.stringify(last, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))}`,
  );
}
