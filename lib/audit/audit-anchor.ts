// The audit chain's head, anchored outside the database. The chain's seals
// find an edited or removed record, but not the newest ones removed, nor all
// of them: what is left is a shorter chain that verifies. So every writer
// (the server, the CLI: separate processes on one database), after each
// committed append, also records the new head, sealed with the chain's key,
// in a file of the data directory; `verify` compares the database with it.
//
// Append-only with O_APPEND, one short line a write, newest = the highest
// sealed seq: two writers appending at once never overwrite each other, so
// the file never moves back, and a forged line (no key) is ignored. A write
// begins with a newline, so a line cut short by a kill spoils only itself.
// Heads are written after the commit: a process killed between the two
// leaves the file behind the database ("at least up to N"), which is no
// alarm; the records after N are checked by their seals.
//
// Compaction (the file down to its newest line) runs inside an append's
// transaction, holding SQLite's write lock: then no other writer can commit,
// and a line another writer may still be appending (to the old file or the
// new) is for a record already committed, so no newer head is lost.
import { createHmac, timingSafeEqual } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";

export type ChainHead = { seq: number; hash: string };

export const ANCHOR_FILE = "audit-head.log";

/** How large the file may grow before an append compacts it. */
const COMPACT_BYTES = 64 * 1024;

const LINE = /^([0-9a-f]{64}) (\d+) ([0-9a-f]{64})$/;

const sealOf = (head: ChainHead, key: Buffer) => createHmac("sha256", key).update(`head:${head.seq}:${head.hash}`).digest();

const lineOf = (head: ChainHead, key: Buffer) => `\n${sealOf(head, key).toString("hex")} ${head.seq} ${head.hash}`;

function unseal(line: string, key: Buffer): ChainHead | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const head = { seq: Number(match[2]), hash: match[3]! };
  return timingSafeEqual(Buffer.from(match[1]!, "hex"), sealOf(head, key)) ? head : undefined;
}

export class HeadAnchor {
  constructor(
    readonly file: string,
    private readonly key: Buffer,
  ) {}

  exists(): boolean {
    return existsSync(this.file);
  }

  /** Every sealed head in the file, oldest first (lines without a valid seal are no heads). */
  heads(): ChainHead[] {
    if (!this.exists()) return [];
    return readFileSync(this.file, "utf8")
      .split("\n")
      .flatMap((line) => unseal(line, this.key) ?? [])
      .sort((a, b) => a.seq - b.seq);
  }

  /** The newest sealed head, if any. */
  newest(): ChainHead | undefined {
    return this.heads().at(-1);
  }

  /** Records a committed head: one append, after the commit. */
  advance(head: ChainHead) {
    appendFileSync(this.file, lineOf(head, this.key), { mode: 0o600 });
  }

  /** Rewrites a large file with its newest line, or `committed` if newer: only
   *  while holding the database's write lock, with `committed` its current head. */
  compact(committed: ChainHead) {
    if (!this.exists() || statSync(this.file).size < COMPACT_BYTES) return;
    const newest = this.newest();
    this.replace(newest && newest.seq > committed.seq ? newest : committed);
  }

  /** Rewrites the file with `head` alone (a new file renamed over it: a kill leaves one or the other). */
  replace(head: ChainHead) {
    const next = `${this.file}.next`;
    writeFileSync(next, lineOf(head, this.key), { mode: 0o600 });
    renameSync(next, this.file);
  }
}
