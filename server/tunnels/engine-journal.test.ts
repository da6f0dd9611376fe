import { createHmac, randomBytes } from "node:crypto";
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EngineJournal, journalKey } from "@/server/tunnels/engine-journal";

let dir: string;
let file: string;
const key = journalKey(randomBytes(32));

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "warren-journal-"));
  file = path.join(dir, "engine-journal.jsonl");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = {
  tunnelId: "t1",
  source: "127.0.0.1:5000",
  destination: null,
  bytesIn: 10,
  bytesOut: 2,
  openedAt: new Date("2026-11-25T04:00:00.000Z"),
  closedAt: new Date("2026-11-25T04:00:01.000Z"),
  error: null,
};

/** The size on disk of the record's entry numbered `seq`. */
function lineSize(seq: number): number {
  return Buffer.byteLength(`${"0".repeat(64)} ${JSON.stringify({ type: "connection", record, seq })}\n`);
}

describe("the engine journal", () => {
  it("gives a new run what the last one appended, dates and all, numbered on from there", () => {
    const first = new EngineJournal(file, key);
    first.load(0);
    const opened = { connectionId: "c1", tunnelId: "t1", hostId: "h1", source: record.source, destination: null, at: record.openedAt };
    first.append({ type: "opened", opened }, { type: "closed", hostId: "h1", record });
    first.append({ type: "audit", input: { action: "connection.refused", tunnelId: "t1", at: record.closedAt } });
    // No close(): the process was killed.

    const second = new EngineJournal(file, key);
    second.load(0);
    expect(second.pending()).toEqual([
      { type: "opened", opened, seq: 1 },
      { type: "closed", hostId: "h1", record, seq: 2 },
      { type: "audit", input: { action: "connection.refused", tunnelId: "t1", at: record.closedAt }, seq: 3 },
    ]);
    second.append({ type: "counters", counters: { t1: { bytesIn: 10, bytesOut: 2, connectionsTotal: 1 } } });
    expect(second.pending().at(-1)?.seq).toBe(4);
    expect([second.backlog, second.lastSeq]).toEqual([4, 4]);
    second.committed(3);
    expect([second.backlog, second.lastSeq]).toEqual([1, 4]);
  });

  it("skips entries the database already has, and numbers after its mark", () => {
    const first = new EngineJournal(file, key);
    first.load(0);
    for (let i = 0; i < 3; i++) first.append({ type: "connection", record });
    const second = new EngineJournal(file, key);
    second.load(2);
    expect(second.pending().map((entry) => entry.seq)).toEqual([3]);
    const third = new EngineJournal(path.join(dir, "other.jsonl"), key);
    third.load(41);
    third.append({ type: "connection", record });
    expect(third.pending().map((entry) => entry.seq)).toEqual([42]);
  });

  it("empties the file once everything is committed", () => {
    const journal = new EngineJournal(file, key);
    journal.load(0);
    for (let i = 0; i < 3; i++) journal.append({ type: "connection", record });
    journal.committed(2);
    expect(journal.pending().map((entry) => entry.seq)).toEqual([3]);
    journal.committed(3);
    expect(readFileSync(file, "utf8")).toBe("");
  });

  it("works off a backlog without rewriting the file for every commit, and keeps it bounded", () => {
    const journal = new EngineJournal(file, key);
    journal.load(0);
    const ENTRIES = 60_000; // about 15 MB: more than the slack, so it must be compacted on the way
    for (let i = 0; i < ENTRIES; i++) journal.append({ type: "connection", record });
    let rewrites = 0;
    let inode = statSync(file).ino;
    const lineBytes = lineSize(ENTRIES);
    for (let seq = 200; seq <= ENTRIES; seq += 200) {
      journal.committed(seq);
      const stat = statSync(file);
      if (stat.ino !== inode) rewrites += 1;
      inode = stat.ino;
      // Committed entries linger, but never more of them than are pending, plus 8 MiB.
      expect(stat.size).toBeLessThanOrEqual(2 * (ENTRIES - seq) * lineBytes + 8 * 1024 * 1024);
      if (seq % 10_000 === 0) {
        // What a new run would take up at this point is exactly what is pending.
        const next = new EngineJournal(path.join(dir, "copy.jsonl"), key);
        copyFileSync(file, path.join(dir, "copy.jsonl"));
        next.load(seq);
        expect(next.pending().map((entry) => entry.seq)).toEqual(journal.pending().map((entry) => entry.seq));
        next.close();
      }
    }
    expect(rewrites).toBeGreaterThan(0);
    expect(rewrites).toBeLessThan(10); // not one per commit (300)
    expect(readFileSync(file, "utf8")).toBe("");
  }, 60_000); // 60,000 appends, each sealed: seconds on a busy machine

  it("drops a torn last line, which was never acknowledged", () => {
    const journal = new EngineJournal(file, key);
    journal.load(0);
    journal.append({ type: "connection", record });
    appendFileSync(file, '{"type":"connection","rec');
    const next = new EngineJournal(file, key);
    expect(next.load(0)).toEqual([]);
    expect(next.pending().map((entry) => entry.seq)).toEqual([1]);
  });

  it("refuses and names lines appended or edited without the key, and keeps the sealed ones around them", () => {
    const journal = new EngineJournal(file, key);
    journal.load(0);
    journal.append({ type: "connection", record });
    journal.append({ type: "counters", counters: { t1: { bytesIn: 10, bytesOut: 2, connectionsTotal: 1 } } });
    journal.close();
    const [first, counters] = readFileSync(file, "utf8").trim().split("\n") as [string, string];
    const forgedEvent = { type: "audit", input: { action: "user.disabled", subjectId: "u1" }, seq: 3 };
    const json = JSON.stringify(forgedEvent);
    const lines = [
      first,
      counters.replace('"bytesIn":10', '"bytesIn":99999'), // an edited counter, its old seal kept
      json, // valid-looking, no seal
      `${createHmac("sha256", journalKey(randomBytes(32)))
        .update(json)
        .digest("hex")} ${json}`, // sealed with another key
      `${"0".repeat(64)} ${JSON.stringify({ type: "connection", record: { ...record, source: "6.6.6.6:6666" }, seq: 4 })}`,
      "not even json",
      `${"0".repeat(64)} null`,
    ];
    writeFileSync(file, `${lines.join("\n")}\n`);

    const next = new EngineJournal(file, key);
    expect(next.load(0)).toEqual([
      { line: 2, reason: "its seal does not match its contents (forged or edited)" },
      { line: 3, reason: "it carries no seal" },
      { line: 4, reason: "its seal does not match its contents (forged or edited)" },
      { line: 5, reason: "its seal does not match its contents (forged or edited)" },
      { line: 6, reason: "it carries no seal" },
      { line: 7, reason: "its seal does not match its contents (forged or edited)" },
    ]);
    expect(next.pending()).toEqual([{ type: "connection", record, seq: 1 }]);
    // Numbering goes on from the sealed entries, not from what a forger wrote.
    next.append({ type: "connection", record });
    expect(next.lastSeq).toBe(2);
    // The refused lines leave the journal (nothing of them is ever committed) for a file of their own, for a person to look at.
    expect(readFileSync(`${file}.rejected`, "utf8").split("\n").filter(Boolean)).toEqual(lines.slice(1));
    const again = new EngineJournal(file, key);
    expect(again.load(0)).toEqual([]);
    expect(again.pending().map((entry) => entry.seq)).toEqual([1, 2]);
  });

  it("refuses appends before it is loaded, rather than losing them", () => {
    expect(() => new EngineJournal(file, key).append({ type: "connection", record })).toThrow("not open");
  });
});
