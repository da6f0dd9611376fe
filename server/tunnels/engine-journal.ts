// The engine's write-ahead journal. Connections open and close many times a
// second; sealing each into the audit chain and the database at once would
// cost a transaction per event, so the engine commits them in one batch a
// second. What happens in between must survive Warren being killed (SIGKILL,
// the OOM killer): every event is first appended here with a synchronous
// write(2), and once write returns the bytes are in the kernel's page cache,
// which outlives the process. (Not a power cut: that needs an fsync per
// event, which would cost more than batching saves; a power cut can lose the
// last second of connection events.)
//
// Each entry has a sequence number; every batch commits, in the same
// transaction, the number it reached (EngineJournalMark). On start, entries
// above the mark are the ones the database lacks: they are committed like any
// batch, so a kill between the commit and the rewrite below duplicates nothing.
// Once everything is committed the file is emptied; while a backlog is being
// committed it keeps committed entries (load skips them by the mark) until
// they are most of it, then is rewritten with only what is pending.
//
// The file sits in the data directory, outside the database's protection:
// each line carries an HMAC (a key of its own derived from WARREN_SECRET_KEY)
// over its entry, so a line written or edited by anyone without the key (a
// forged sign-in, a connection that never was, an edited counter) is refused
// at load, never committed, and reported.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import type { AuditInput } from "@/lib/audit/audit-log";
import type { ConnectionRecord, ConnectPerson, TunnelCounters } from "@/server/tunnels/data-plane-protocol";

/** Each tunnel's totals at that moment; a later entry's supersede an earlier one's.
 *  Any entry may carry them, so a connection's records and its tunnel's totals are one write. */
type Counted = { counters?: Record<string, TunnelCounters> };

/** A connection the data plane carries now; `connectionId` is its record's id once it closes. */
export type OpenedConnection = {
  connectionId: string;
  tunnelId: string;
  hostId: string;
  source: string;
  destination: string | null;
  via?: ConnectPerson;
  at: Date;
};

/** `opened` and `closed` are a connection's facts, audited at commit (connection-audit.ts);
 *  `audit` and `connection` are written as they are (refusals, and journals of earlier versions). */
export type JournalEvent =
  | ({ type: "opened"; opened: OpenedConnection } & Counted)
  | ({ type: "closed"; hostId: string; record: ConnectionRecord } & Counted)
  | ({ type: "audit"; input: AuditInput } & Counted)
  | ({ type: "connection"; record: ConnectionRecord } & Counted)
  | { type: "counters"; counters: Record<string, TunnelCounters> };

export type JournalEntry = JournalEvent & { seq: number };

/** A line the journal refused at load: its number in the file and why. */
export type JournalRejection = { line: number; reason: string };

export function journalKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), "warren engine journal v1", 32));
}

const sealOf = (json: string, key: Buffer) => createHmac("sha256", key).update(json).digest();

/** `<hex HMAC> <entry as JSON>`; a rewrite passes the seal the entry already has. */
function lineOf(entry: JournalEntry, key: Buffer, seal?: string): string {
  const json = JSON.stringify(entry);
  return `${seal ?? sealOf(json, key).toString("hex")} ${json}\n`;
}

const SEAL_CHARS = 64;
const NO_SEAL = "it carries no seal";
const BAD_SEAL = "its seal does not match its contents (forged or edited)";

const date = (value: unknown) => new Date(value as string);

/** JSON turned the dates into strings; turn them back. */
function revive(entry: JournalEntry): JournalEntry {
  if (entry.type === "audit" && entry.input.at) return { ...entry, input: { ...entry.input, at: date(entry.input.at) } };
  if (entry.type === "opened") return { ...entry, opened: { ...entry.opened, at: date(entry.opened.at) } };
  if (entry.type === "connection" || entry.type === "closed")
    return { ...entry, record: { ...entry.record, openedAt: date(entry.record.openedAt), closedAt: date(entry.record.closedAt) } };
  return entry;
}

/** The line's entry if its seal is the key's, else why not; undefined for an
 *  entry the database already has (dropped either way, so not worth checking). */
function unseal(line: string, key: Buffer, committedSeq: number): JournalEntry | string | undefined {
  const seal = line.slice(0, SEAL_CHARS);
  if (line[SEAL_CHARS] !== " " || !/^[0-9a-f]+$/.test(seal)) return NO_SEAL;
  const json = line.slice(SEAL_CHARS + 1);
  let entry: JournalEntry;
  try {
    entry = JSON.parse(json) as JournalEntry;
  } catch {
    return BAD_SEAL; // Warren seals only what it wrote whole
  }
  const seq = (entry as { seq?: unknown } | null)?.seq;
  if (typeof seq === "number" && seq <= committedSeq) return undefined;
  return timingSafeEqual(Buffer.from(seal, "hex"), sealOf(json, key)) ? revive(entry) : BAD_SEAL;
}

type Read = { entries: { entry: JournalEntry; text: string }[]; rejected: (JournalRejection & { text: string })[] };

/** Sealed entries in the file above `committedSeq`, and the lines refused.
 *  Every write ends with a newline, so a last line without one is a write cut
 *  short by a kill: it was never acknowledged and is dropped without complaint. */
function readEntries(file: string, key: Buffer, committedSeq: number): Read {
  const read: Read = { entries: [], rejected: [] };
  if (!existsSync(file)) return read;
  const lines = readFileSync(file, "utf8").split("\n");
  lines.pop(); // "" after the last newline, or the torn write
  lines.forEach((text, index) => {
    if (!text) return;
    const entry = unseal(text, key, committedSeq);
    if (typeof entry === "string") read.rejected.push({ line: index + 1, reason: entry, text });
    else if (entry) read.entries.push({ entry, text });
  });
  return read;
}

// Committed entries the file may carry beyond as many bytes as are pending.
const COMPACT_SLACK_BYTES = 8 * 1024 * 1024;

export class EngineJournal {
  private fd: number | undefined;
  private nextSeq = 1;
  private entries: JournalEntry[] = [];
  /** Each entry's size on disk, for when to rewrite. */
  private sizes: number[] = [];
  /** Each entry's seal, so a rewrite does not compute it again. */
  private seals: string[] = [];
  /** Entries before `head` are committed. */
  private head = 0;
  private fileBytes = 0;
  private pendingBytes = 0;

  constructor(
    private readonly file: string,
    private readonly key: Buffer,
  ) {}

  /** Takes up what the last run left that the database does not have (above
   *  `committedSeq`); answers the lines refused for their seal, which move to
   *  `<file>.rejected` for a person to look at. */
  load(committedSeq: number): JournalRejection[] {
    const { entries, rejected } = readEntries(this.file, this.key, committedSeq);
    if (rejected.length > 0) appendFileSync(`${this.file}.rejected`, rejected.map(({ text }) => `${text}\n`).join(""), { mode: 0o600 });
    this.nextSeq = Math.max(committedSeq, entries.at(-1)?.entry.seq ?? 0) + 1;
    this.entries = [];
    this.sizes = [];
    this.seals = [];
    this.pendingBytes = 0;
    for (const { entry, text } of entries) this.keep(entry, `${text}\n`);
    this.rewrite();
    return rejected.map(({ line, reason }) => ({ line, reason }));
  }

  /** Durable against a process kill once this returns; one write(2) for all of them. */
  append(...events: JournalEvent[]) {
    if (this.fd === undefined) throw new Error("the engine journal is not open");
    const entries = events.map((event) => ({ ...event, seq: this.nextSeq++ }) as JournalEntry);
    const lines = entries.map((entry) => lineOf(entry, this.key));
    writeSync(this.fd, lines.join(""));
    for (const [index, entry] of entries.entries()) this.fileBytes += this.keep(entry, lines[index]!);
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

  /** Forgets the entries up to `seq`, now in the database. The file is not
   *  rewritten after every commit: that would make committing a backlog
   *  quadratic (docs/performance.md, "Tunings"). */
  committed(seq: number) {
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= seq) this.pendingBytes -= this.sizes[this.head++]!;
    if (this.head === this.entries.length || this.fileBytes > 2 * this.pendingBytes + COMPACT_SLACK_BYTES) {
      this.entries = this.entries.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.seals = this.seals.slice(this.head);
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
    writeFileSync(next, this.entries.map((entry, index) => lineOf(entry, this.key, this.seals[index])).join(""), { mode: 0o600 });
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
    this.seals.push(line.slice(0, SEAL_CHARS));
    this.pendingBytes += size;
    return size;
  }
}
