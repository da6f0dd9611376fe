// The engine's write-ahead journal. Connections open and close many times a
// second; sealing each into the audit chain and the database at once would
// cost a transaction per event, so the engine commits them in one batch a
// second. What happens in between must survive Warren being killed (SIGKILL,
// the OOM killer): every event is first appended here with a synchronous
// write(2), and once write returns the bytes are in the kernel's page cache,
// which outlives the process. (Not a power cut: that needs an fsync per
// event, which would cost more than batching saves; a power cut can lose the
// last second of connection events, as before this journal existed.)
//
// Each entry has a sequence number; every batch commits, in the same
// transaction, the number it reached (EngineJournalMark). On start, entries
// above the mark are the ones the database lacks: they are committed like any
// batch, so a kill between the commit and the rewrite below duplicates nothing.
// Once everything is committed the file is emptied; while a backlog is being
// committed it keeps committed entries (load skips them by the mark) until
// they are most of it, then is rewritten with only what is pending.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import type { AuditInput } from "@/lib/audit/audit-log";
import type { ConnectionRecord } from "@/server/tunnels/tunnel-runtime";

export type TunnelCounters = { bytesIn: number; bytesOut: number; connectionsTotal: number };

/** Each tunnel's totals at that moment; a later entry's supersede an earlier one's.
 *  Any entry may carry them, so a connection's records and its tunnel's totals are one write. */
type Counted = { counters?: Record<string, TunnelCounters> };

export type JournalEvent =
  | ({ type: "audit"; input: AuditInput } & Counted)
  | ({ type: "connection"; record: ConnectionRecord } & Counted)
  | { type: "counters"; counters: Record<string, TunnelCounters> };

export type JournalEntry = JournalEvent & { seq: number };

const lineOf = (entry: JournalEntry) => `${JSON.stringify(entry)}\n`;

const date = (value: unknown) => new Date(value as string);

/** JSON turned the dates into strings; turn them back. */
function revive(entry: JournalEntry): JournalEntry {
  if (entry.type === "audit" && entry.input.at) return { ...entry, input: { ...entry.input, at: date(entry.input.at) } };
  if (entry.type === "connection") return { ...entry, record: { ...entry.record, openedAt: date(entry.record.openedAt), closedAt: date(entry.record.closedAt) } };
  return entry;
}

/** Entries in the file; a torn last line (killed in the middle of its write) was never acknowledged and is dropped. */
function readEntries(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  const entries: JournalEntry[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    try {
      entries.push(revive(JSON.parse(line) as JournalEntry));
    } catch {
      break;
    }
  }
  return entries;
}

// Committed entries the file may carry beyond as many bytes as are pending.
const COMPACT_SLACK_BYTES = 8 * 1024 * 1024;

export class EngineJournal {
  private fd: number | undefined;
  private nextSeq = 1;
  private entries: JournalEntry[] = [];
  /** Each entry's size on disk, for when to rewrite. */
  private sizes: number[] = [];
  /** Entries before `head` are committed. */
  private head = 0;
  private fileBytes = 0;
  private pendingBytes = 0;

  constructor(private readonly file: string) {}

  /** Takes up what the last run left that the database does not have (above `committedSeq`). */
  load(committedSeq: number) {
    const entries = readEntries(this.file).filter((entry) => entry.seq > committedSeq);
    this.nextSeq = Math.max(committedSeq, entries.at(-1)?.seq ?? 0) + 1;
    this.entries = [];
    this.sizes = [];
    this.pendingBytes = 0;
    for (const entry of entries) this.keep(entry, lineOf(entry));
    this.rewrite();
  }

  /** Durable against a process kill once this returns; one write(2) for all of them. */
  append(...events: JournalEvent[]) {
    if (this.fd === undefined) throw new Error("the engine journal is not open");
    const entries = events.map((event) => ({ ...event, seq: this.nextSeq++ }) as JournalEntry);
    const lines = entries.map(lineOf);
    writeSync(this.fd, lines.join(""));
    entries.forEach((entry, index) => (this.fileBytes += this.keep(entry, lines[index]!)));
  }

  /** How many entries are not yet committed. */
  get backlog(): number {
    return this.entries.length - this.head;
  }

  /** The newest entry's seq (committed or not); 0 before any. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Entries not yet committed to the database, oldest first; at most `limit`. */
  pending(limit?: number): JournalEntry[] {
    return this.entries.slice(this.head, limit === undefined ? undefined : this.head + limit);
  }

  /** Forgets the entries up to `seq`, now in the database. Rewriting the file
   *  after every commit made a backlog quadratic: 280,000 entries behind (a
   *  load bench's burst of connections) kept the engine busy for minutes. */
  committed(seq: number) {
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= seq) this.pendingBytes -= this.sizes[this.head++]!;
    if (this.head === this.entries.length || this.fileBytes > 2 * this.pendingBytes + COMPACT_SLACK_BYTES) {
      this.entries = this.entries.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
      this.rewrite();
    }
  }

  close() {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  // A new file renamed over the old one: a kill at any point leaves either
  // the old file or the new one, both correct given the mark.
  private rewrite() {
    const next = `${this.file}.next`;
    writeFileSync(next, this.entries.map(lineOf).join(""), { mode: 0o600 });
    renameSync(next, this.file);
    this.fileBytes = this.pendingBytes;
    this.close();
    this.fd = openSync(this.file, "a", 0o600);
  }

  /** Adds a pending entry; answers its size on disk. */
  private keep(entry: JournalEntry, line: string): number {
    const size = Buffer.byteLength(line);
    this.entries.push(entry);
    this.sizes.push(size);
    this.pendingBytes += size;
    return size;
  }
}
