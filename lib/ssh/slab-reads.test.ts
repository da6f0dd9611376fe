// slabReads() driven as Node drives `onread`: buffer() for the region of the
// next read, then callback(bytes read, region).
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { holdForWrite, slabReads, type ReadPacing } from "@/lib/ssh/slab-reads";

function reader(turnBytes = Infinity) {
  const delivered: Buffer[] = [];
  const pacing: ReadPacing & { resumed: number } = { resumed: 0, turnBytes: () => turnBytes, resume: () => (pacing.resumed += 1) };
  const onread = slabReads((chunk) => delivered.push(chunk), pacing);
  const region = () => (typeof onread.buffer === "function" ? onread.buffer() : onread.buffer) as Buffer;
  /** One read of `length` bytes (the whole region by default); answers whether Node should read on. */
  const read = (length?: number) => {
    const into = region();
    return { into, readOn: onread.callback(length ?? into.length, into) };
  };
  return { delivered, pacing, read };
}

/** Reads full regions until one lands in a slab other than `slab` (a slab holds four); answers that region. */
function readPast(read: ReturnType<typeof reader>["read"], slab: ArrayBufferLike): Buffer {
  for (let reads = 0; reads < 8; reads++) {
    const { into } = read();
    if (into.buffer !== slab) return into;
  }
  throw new Error("eight full reads all landed in the same slab");
}

describe("slabReads", () => {
  it("hands each read on as a view of the region it was read into", () => {
    const { delivered, read } = reader();
    const { into } = read(100);
    expect(delivered[0]!.buffer).toBe(into.buffer);
    expect(delivered[0]!.byteOffset).toBe(into.byteOffset);
    expect(delivered[0]!.length).toBe(100);
    // The next read lands right after it.
    expect(read(10).into.byteOffset).toBe(into.byteOffset + 100);
  });

  it("stops reading for the turn once a full read passes the turn's share, and reads on next turn", async () => {
    const { pacing, read } = reader(300 * 1024);
    expect(read().readOn).toBe(true); // 256 KiB: within the share
    expect(read().readOn).toBe(false); // 512 KiB: past it
    expect(pacing.resumed).toBe(0);
    await nextTurn();
    expect(pacing.resumed).toBe(1);
    // A new turn, a new share; a read that did not fill its region never pauses (libuv stops there anyway).
    expect(read().readOn).toBe(true);
    expect(read(1000).readOn).toBe(true);
  });

  it("reuses a slab only once neither its reader (current or previous slab) nor a write holds it", () => {
    const { read } = reader();
    const first = read().into.buffer;
    const release = holdForWrite(Buffer.from(first, 0, 10))!;
    const slabs = (count: number) => {
      const seen: ArrayBufferLike[] = [];
      let at = first;
      while (seen.length < count) {
        at = readPast(read, at).buffer;
        seen.push(at);
      }
      return seen;
    };
    const whileHeld = slabs(4);
    expect(whileHeld).not.toContain(first);
    // A reader never reads into the slab it just left (ssh2 may still hold a view of its last packet).
    const all = [first, ...whileHeld];
    for (let i = 1; i < all.length; i++) expect(all[i]).not.toBe(all[i - 1]);
    // Released, it is the free slab the next reader starts in.
    release();
    expect(reader().read().into.buffer).toBe(first);
  });

  it("leaves buffers it did not read into alone", () => {
    expect(holdForWrite(Buffer.alloc(10))).toBeUndefined();
  });
});
