import type { Duplex } from "node:stream";

export type Meter = { bytesIn: number; bytesOut: number };

/** Pipes a client and the far side into each other, counting bytes each way
 *  into every meter given (the connection's and its tunnel's). Half-closes
 *  pass through, so request/response protocols that shut down writing work.
 *  Resolves when both are closed, with the first error if any. */
export function splice(client: Duplex, far: Duplex, meters: Meter[]): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let firstError: Error | undefined;
    let open = 2;
    const done = () => {
      open -= 1;
      if (open === 0) resolve(firstError);
    };
    const fail = (error: Error) => {
      firstError ??= error;
      client.destroy();
      far.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      for (const meter of meters) meter.bytesOut += chunk.length;
    });
    far.on("data", (chunk: Buffer) => {
      for (const meter of meters) meter.bytesIn += chunk.length;
    });
    client.on("error", fail);
    far.on("error", fail);
    client.once("close", () => {
      far.destroy();
      done();
    });
    far.once("close", () => {
      client.destroy();
      done();
    });
    client.pipe(far);
    far.pipe(client);
  });
}
