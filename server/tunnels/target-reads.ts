// Reads of a socket Warren opens itself (a remote tunnel's target) into one
// buffer reused for every read, instead of a fresh 64 KiB buffer each
// (Node's default): reads land in memory that is warm in the cache. ssh2
// copies channel data into its packet as it is written, so the buffer is
// free again once the read's handler returns; where ssh2 keeps a piece (the
// far end's window ran out) splice.ts pauses the socket until it went.
// Hand-written: Node's `onread` option is the whole mechanism.
import type net from "node:net";

const READ_BYTES = 64 * 1024;

/** A read's bytes, valid only until the handler returns. */
export type ReadHandler = (chunk: Buffer) => void;

export type TargetReads = {
  /** For the socket's constructor or connect(). */
  onread: net.OnReadOpts;
  /** From now on reads go to `handler`; what came before it (a banner) goes first. */
  attach(handler: ReadHandler): void;
};

export function targetReads(): TargetReads {
  const buffer = Buffer.allocUnsafeSlow(READ_BYTES);
  let handler: ReadHandler | undefined;
  let early: Buffer[] = [];
  return {
    onread: {
      buffer,
      callback: (length) => {
        const chunk = buffer.subarray(0, length);
        if (handler) handler(chunk);
        else early.push(Buffer.from(chunk));
        return true; // the handler pauses the socket itself when it must wait
      },
    },
    attach(next) {
      handler = next;
      for (const chunk of early) next(chunk);
      early = [];
    },
  };
}
