// Socket reads that land back to back in large slabs instead of a fresh
// 64 KiB buffer each (Node's default), and slabs used again once nothing
// holds a view of them. Hand-written: Node's `onread` option is the whole
// mechanism, no library wraps it.
import type { OnReadOpts } from "node:net";

// One SSH connection carries every tunnel of a host: reads of up to 256 KiB
// hand ssh2 several packets per parse and halve the read syscalls, and
// 1 MiB slabs mean one buffer allocation per MiB instead of sixteen.
const SLAB_BYTES = 1024 * 1024;
const READ_BYTES = 256 * 1024;
/** A slab with less than this left is retired: reads are not cut small. */
const MIN_READ_BYTES = 32 * 1024;
/** Free slabs the thread keeps for reuse; more are left to the GC. */
const FREE_SLABS = 8;

/** Who may still use a slab's bytes: the connection reading into it (while
 *  it is that connection's current or previous slab: ssh2 keeps a view of a
 *  packet whose tag is still to come, and of the greeting, until the next
 *  reads) and socket writes of views of it that have not finished. */
type Slab = { bytes: Buffer; readerHolds: boolean; writes: number; release: () => void };

// Reused slabs: the kernel copies each read into memory warm in the cache
// that takes no page faults, where fresh slabs were cold and untouched
// (what each bought: docs/performance.md, "Tunings"). ssh2 copies what it
// keeps of other messages, and channel data a stream might buffer
// (patches/ssh2+1.17.0.patch).
const free: Slab[] = [];
const slabOf = new WeakMap<ArrayBufferLike, Slab>();

function reuseIfFree(slab: Slab) {
  if (!slab.readerHolds && slab.writes === 0 && free.length < FREE_SLABS) free.push(slab);
}

function newSlab(): Slab {
  const slab: Slab = {
    bytes: Buffer.allocUnsafeSlow(SLAB_BYTES),
    readerHolds: false,
    writes: 0,
    release: () => {
      slab.writes -= 1;
      reuseIfFree(slab);
    },
  };
  slabOf.set(slab.bytes.buffer, slab);
  return slab;
}

function takeSlab(): Slab {
  const slab = free.pop() ?? newSlab();
  slab.readerHolds = true;
  return slab;
}

/** For a write of `chunk` about to begin: when it is a view of a slab, the
 *  slab is not reused until the returned callback (the write's) has run. */
export function holdForWrite(chunk: Buffer): (() => void) | undefined {
  const slab = slabOf.get(chunk.buffer);
  if (!slab) return undefined;
  slab.writes += 1;
  return slab.release;
}

/** How much one turn of the event loop may read (`turnBytes`), and how to read on after a pause (`resume`). */
export type ReadPacing = { turnBytes(): number; resume(): void };

/** `onread` options that pass each read to `deliver` as a view into the
 *  current slab. `deliver` may keep views only through holdForWrite; a
 *  connection that closes leaves its last two slabs to the GC. */
export function slabReads(deliver: (chunk: Buffer) => void, pacing: ReadPacing): OnReadOpts {
  let previous: Slab | undefined;
  let current = takeSlab();
  let offset = 0;
  let turnRead = 0;
  let paused = false;
  const endTurn = () => {
    turnRead = 0;
    if (!paused) return;
    paused = false;
    pacing.resume();
  };
  return {
    buffer: () => {
      if (SLAB_BYTES - offset < MIN_READ_BYTES) {
        if (previous) {
          previous.readerHolds = false;
          reuseIfFree(previous);
        }
        previous = current;
        current = takeSlab();
        offset = 0;
      }
      return current.bytes.subarray(offset, Math.min(SLAB_BYTES, offset + READ_BYTES));
    },
    callback: (length, region) => {
      offset += length;
      deliver((region as Buffer).subarray(0, length));
      turnRead += length;
      if (turnRead === length) setImmediate(endTurn); // the turn's first read
      // libuv reads on at once after a read that filled its buffer; past
      // the turn's share, reading waits for the next turn (after this
      // one's writes, corked until setImmediate, went).
      if (length < region.length || turnRead < pacing.turnBytes()) return true;
      paused = true;
      return false;
    },
  };
}
