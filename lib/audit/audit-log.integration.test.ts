// The audit trail on a real database (SQLite or PostgreSQL): concurrent appends stay one
// unbroken chain, tampering with the rows is found and named, and retention
// prunes behind a checkpoint that keeps the rest verifiable.
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureHeadAnchor, headAnchor, pruneAudit, recordAudit, verifyAuditChain } from "@/lib/audit/audit-log";
import { searchAudit } from "@/lib/audit/audit-query";
import { systemCtx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Ctx } from "@/lib/context";
import { auditQuerySchema } from "@/lib/validation/audit";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { useTestDatabase } from "@/tests/harness/test-database";

let db: Awaited<ReturnType<typeof useTestDatabase>>;
const ctx = systemCtx("test");
/** A search as the API parses its query string. */
const search = async (admin: Ctx, query: object) => searchAudit({ ctx: admin, input: auditQuerySchema.parse(query) });

beforeAll(async () => {
  db = await useTestDatabase();
});
afterAll(() => db?.dispose());

/** Edits the database behind Warren's back, as an intruder with file access would. */
async function tamper(sql: string) {
  const raw = await openRawDatabase({ dataDir: db.dataDir, env: process.env });
  try {
    await raw.run(sql);
  } finally {
    await raw.close();
  }
}

async function withBackup<T>(run: () => Promise<T>): Promise<T> {
  const rows = await getPrisma().auditEvent.findMany();
  try {
    return await run();
  } finally {
    await getPrisma().auditEvent.deleteMany();
    await getPrisma().auditEvent.createMany({ data: rows });
  }
}

describe("audit trail", () => {
  it("keeps one contiguous chain under concurrent appends", async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        recordAudit(ctx, index % 2 ? { action: "user.created", subjectId: `u${index}` } : [{ action: "tunnel.opened" }, { action: "tunnel.closed" }]),
      ),
    );
    const seqs = (await getPrisma().auditEvent.findMany({ select: { seq: true }, orderBy: { seq: "asc" } })).map((row) => row.seq);
    expect(seqs).toEqual(Array.from({ length: 75 }, (_, index) => index + 1));
    expect(await verifyAuditChain()).toEqual({ ok: true, checked: 75, lastSeq: 75 });
  });

  it("names the first edited record", async () => {
    await withBackup(async () => {
      await tamper(`UPDATE "AuditEvent" SET details = '{"by":"nobody"}' WHERE seq = 17`);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        firstProblem: { seq: 17, problem: "record 17 was edited: its contents no longer match its seal" },
      });
    });
  });

  it("names a removed record", async () => {
    await withBackup(async () => {
      await tamper(`DELETE FROM "AuditEvent" WHERE seq = 30`);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, firstProblem: { seq: 30, problem: "record 30 is missing (removed)" } });
    });
  });

  it("names reordered records", async () => {
    await withBackup(async () => {
      await tamper(`UPDATE "AuditEvent" SET seq = -1 WHERE seq = 40`);
      await tamper(`UPDATE "AuditEvent" SET seq = 40 WHERE seq = 41`);
      await tamper(`UPDATE "AuditEvent" SET seq = 41 WHERE seq = -1`);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, firstProblem: { seq: 40 } });
    });
  });

  it("names the newest records removed, which leave a shorter chain that verifies by itself", async () => {
    await withBackup(async () => {
      await tamper(`DELETE FROM "AuditEvent" WHERE seq > 60`);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        firstProblem: { seq: 61, problem: "records 61-75, the newest, are missing (the head anchor says 75)" },
      });
      await tamper(`DELETE FROM "AuditEvent" WHERE seq = 60`);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        firstProblem: { seq: 60, problem: "records 60-75, the newest, are missing (the head anchor says 75)" },
      });
    });
    await withBackup(async () => {
      await tamper(`DELETE FROM "AuditEvent" WHERE seq = 75`);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, firstProblem: { problem: "record 75, the newest, is missing (the head anchor says 75)" } });
    });
  });

  it("finds every record removed", async () => {
    await withBackup(async () => {
      await tamper(`DELETE FROM "AuditEvent"`);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        checked: 0,
        firstProblem: { seq: 1, problem: "the database holds no records but the head anchor says 75" },
      });
    });
  });

  it("finds a missing anchor, ignores lines sealed without the key, and finds a chain rewritten under the anchor", async () => {
    const anchor = headAnchor();
    expect(statSync(anchor.file).mode & 0o777).toBe(0o600);
    const saved = readFileSync(anchor.file, "utf8");
    try {
      writeFileSync(anchor.file, `${saved}\n${"0".repeat(64)} 99 ${"0".repeat(64)}\nnot a head`);
      expect(await verifyAuditChain()).toEqual({ ok: true, checked: 75, lastSeq: 75 });
      rmSync(anchor.file);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        firstProblem: { problem: expect.stringContaining("head anchor (audit-head.log in the data directory) is missing") },
      });
    } finally {
      writeFileSync(anchor.file, saved);
    }
    await withBackup(async () => {
      // The newest removed, then Warren appends on: the chain grows past the anchored head, with other records.
      await tamper(`DELETE FROM "AuditEvent" WHERE seq > 73`);
      await recordAudit(ctx, [{ action: "user.created" }, { action: "user.created" }, { action: "user.created" }]);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        firstProblem: { seq: 74, problem: "record 74 is not the one the head anchor sealed: the chain was rewritten from there" },
      });
    });
    writeFileSync(anchor.file, saved);
  });

  it("takes an anchor behind the database (a writer killed between its commit and the file) for no tampering", async () => {
    const anchor = headAnchor();
    const behind = readFileSync(anchor.file, "utf8");
    await recordAudit(ctx, [{ action: "user.created" }, { action: "user.disabled" }]);
    expect(anchor.newest()?.seq).toBe(77);
    writeFileSync(anchor.file, behind); // as if the process died before its append reached the file
    expect(await verifyAuditChain()).toEqual({ ok: true, checked: 77, lastSeq: 77 });
    // Its records are still checked by their seals, and the next append catches the file up.
    await withBackup(async () => {
      await tamper(`UPDATE "AuditEvent" SET details = '{}' WHERE seq = 77`);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, firstProblem: { seq: 77 } });
    });
    await getPrisma().auditEvent.deleteMany({ where: { seq: { gt: 75 } } }); // back to 75 records, as the tests below expect
  });

  it("finds records by the words in them, newest first, together with other filters", async () => {
    await recordAudit(ctx, [
      { action: "tunnel.failed", hostId: "h1", details: { reason: "port 20001 is already in use on the bastion" } },
      { action: "tunnel.failed", hostId: "h2", details: { reason: "port 20002 is already in use on the bastion" } },
    ]);
    const admin = { actor: { type: "user" as const, id: "a", email: "admin@example.com", role: "admin" as const } };
    const found = await search(admin, { q: "already in use" });
    expect(found.events.map((event) => event.details.reason)).toEqual([
      "port 20002 is already in use on the bastion",
      "port 20001 is already in use on the bastion",
    ]);
    expect((await search(admin, { q: "already in", hostId: "h1" })).events).toHaveLength(1);
    expect((await search(admin, { q: "20001" })).events).toHaveLength(1);
    expect((await search(admin, { q: "nowhere to be found" })).events).toEqual([]);
    await expect(search(admin, { q: "..." })).rejects.toThrow("must contain a letter or a digit");
  });

  it("prunes behind a signed checkpoint; the rest still verifies, a moved checkpoint does not", async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    await recordAudit(ctx, [{ action: "host.created", at: old }]);
    // Age everything so far (the pruned records' seals do not matter any more).
    await getPrisma().auditEvent.updateMany({ where: { seq: { lte: 78 } }, data: { at: old } });
    await recordAudit(ctx, { action: "host.deleted" });
    const removed = await pruneAudit(30);
    expect(removed).toBe(78);
    const remaining = await getPrisma().auditEvent.findMany({ orderBy: { seq: "asc" } });
    expect(remaining.map((row) => row.action)).toEqual(["host.deleted", "audit.pruned"]);
    expect(await verifyAuditChain()).toEqual({ ok: true, checked: 2, lastSeq: 80 });
    // The word index forgets pruned records with them.
    const admin = { actor: { type: "user" as const, id: "a", email: "admin@example.com", role: "admin" as const } };
    expect((await search(admin, { q: "already in use" })).events).toEqual([]);

    await tamper(`UPDATE "AuditCheckpoint" SET seq = 70`);
    expect(await verifyAuditChain()).toMatchObject({
      ok: false,
      firstProblem: { problem: "the retention checkpoint was altered: its signature does not match" },
    });
  });
});

describe("the head anchor", () => {
  it("stays one short file however many appends, compacted to the true head", async () => {
    await Promise.all(Array.from({ length: 600 }, (_, index) => recordAudit(ctx, { action: "user.created", subjectId: `c${index}` })));
    const anchor = headAnchor();
    const head = await getPrisma().auditEvent.findFirstOrThrow({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
    expect(anchor.newest()).toEqual(head);
    expect(statSync(anchor.file).size).toBeLessThan(70 * 1024);
  });

  it("is started at start when missing (Warren upgraded, or the file removed), and the chain says so", async () => {
    const anchor = headAnchor();
    const present = readFileSync(anchor.file, "utf8");
    await ensureHeadAnchor();
    expect(readFileSync(anchor.file, "utf8")).toBe(present); // present: nothing to do
    const before = anchor.newest()!;
    rmSync(anchor.file);
    await ensureHeadAnchor();
    const started = await getPrisma().auditEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(started).toMatchObject({ seq: before.seq + 1, action: "audit.anchor_started" });
    expect(JSON.parse(started.details)).toEqual({ by: "audit", fromSeq: before.seq, reason: "audit-head.log was missing" });
    expect(anchor.newest()).toEqual({ seq: started.seq, hash: started.hash });
  });
});
