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
// After each commit the file is rewritten with only what is still pending, so
// it stays as small as one second of events.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import type { AuditInput } from "@/lib/audit/audit-log";
import type { ConnectionRecord } from "@/server/tunnels/tunnel-runtime";

export type TunnelCounters = { bytesIn: number; bytesOut: number; connectionsTotal: number };

export type JournalEvent =
  | { type: "audit"; input: AuditInput }
  | { type: "connection"; record: ConnectionRecord }
  /** Each tunnel's totals at that moment; a later entry supersedes an earlier one. */
  | { type: "counters"; counters: Record<string, TunnelCounters> };

export type JournalEntry = JournalEvent & { seq: number };

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

export class EngineJournal {
  private fd: number | undefined;
  private nextSeq = 1;
  private entries: JournalEntry[] = [];

  constructor(private readonly file: string) {}

  /** Takes up what the last run left that the database does not have (above `committedSeq`). */
  load(committedSeq: number) {
    this.entries = readEntries(this.file).filter((entry) => entry.seq > committedSeq);
    this.nextSeq = Math.max(committedSeq, this.entries.at(-1)?.seq ?? 0) + 1;
    this.rewrite();
  }

  /** Durable against a process kill once this returns. */
  append(event: JournalEvent) {
    if (this.fd === undefined) throw new Error("the engine journal is not open");
    const entry = { ...event, seq: this.nextSeq++ } as JournalEntry;
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.entries.push(entry);
  }

  /** Entries not yet committed to the database, oldest first. */
  pending(): readonly JournalEntry[] {
    return this.entries;
  }

  /** Forgets the entries up to `seq`, now in the database, and keeps only the rest on disk. */
  committed(seq: number) {
    this.entries = this.entries.filter((entry) => entry.seq > seq);
    this.rewrite();
  }

  close() {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  // A new file renamed over the old one: a kill at any point leaves either
  // the old file or the new one, both correct given the mark.
  private rewrite() {
    const next = `${this.file}.next`;
    writeFileSync(next, this.entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""), { mode: 0o600 });
    renameSync(next, this.file);
    this.close();
    this.fd = openSync(this.file, "a", 0o600);
  }
}
