// Reads of the sockets Warren opens itself (remote tunnels' targets) into
// one buffer that every such socket of the thread shares, instead of a
// fresh 64 KiB buffer per read (Node's default): reads land in memory warm
// in the cache, and an idle connection holds none. ssh2 copies channel data
// into its packet as it is written, so the buffer is free again once the
// read's handler returns; what ssh2 keeps (the far end's window ran out)
// splice.ts copies. Hand-written: Node's `onread` option is the mechanism.
import type net from "node:net";

// One 256 KiB buffer for the thread rather than 64 KiB per socket: 1,000 idle
// connections hold none (what it bought: docs/performance.md, "Tunings").
const shared = Buffer.allocUnsafeSlow(256 * 1024);

/** A read's bytes, valid only until the handler returns. */
export type ReadHandler = (chunk: Buffer) => void;

export type TargetReads = {
  /** For the socket's constructor or connect(). */
  onread: net.OnReadOpts;
  /** From now on reads go to `handler`; what came before it (a banner) goes first. */
  attach(handler: ReadHandler): void;
};

export function targetReads(): TargetReads {
  let handler: ReadHandler | undefined;
  let early: Buffer[] = [];
  return {
    onread: {
      buffer: shared,
      callback: (length) => {
        const chunk = shared.subarray(0, length);
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
