// One SQLite connection for the process: a statement from outside an open
// interactive transaction must neither join it nor see inside it, and a
// lock another process holds is waited for without stopping the process.
// SQLite only: this is serial-adapter.ts, which serialises the one
// better-sqlite3 connection; PostgreSQL's pool gives a transaction a
// connection of its own, and no such adapter is in between.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import { holdDatabaseLock } from "@/tests/harness/sqlite-lock";
import { useTestDatabase } from "@/tests/harness/test-database";

let db: Awaited<ReturnType<typeof useTestDatabase>>;

beforeAll(async () => {
  db = await useTestDatabase();
});

afterAll(async () => {
  await db?.dispose();
});

/** A transaction that writes the journal mark, holds on for a while, then fails. */
function failingTransaction() {
  return getPrisma()
    .$transaction(async (tx) => {
      await tx.engineJournalMark.upsert({ where: { nodeName: "test" }, create: { nodeName: "test", seq: 7 }, update: { seq: 7 } });
      await sleep(200);
      throw new Error("rolled back on purpose");
    })
    .catch((error: Error) => error.message);
}

describe("statements outside an open transaction", () => {
  it("a write waits for it and survives its rollback", async () => {
    const failed = failingTransaction();
    await sleep(20); // the transaction is open now
    const user = await getPrisma().user.create({ data: { email: "outside@example.com", passwordHash: "x" } });
    expect(await failed).toBe("rolled back on purpose");
    expect(await getPrisma().user.findUnique({ where: { id: user.id } })).not.toBeNull();
    expect(await getPrisma().engineJournalMark.count()).toBe(0);
  });

  it("a read does not see what it has not committed", async () => {
    const failed = failingTransaction();
    await sleep(20);
    expect(await getPrisma().engineJournalMark.count()).toBe(0);
    await failed;
  });
});

describe("a database another process holds locked", () => {
  const file = () => {
    const { database } = getConfig();
    if (database.provider !== "sqlite") throw new Error("SQLite only");
    return database.file;
  };

  it("is waited for while the process goes on and reads are answered: a write and a transaction land once it is gone", async () => {
    const lock = await holdDatabaseLock(file());
    const waiting = { write: true, transaction: true };
    const write = getPrisma()
      .user.create({ data: { email: "waited@example.com", passwordHash: "x" } })
      .finally(() => (waiting.write = false));
    const transaction = getPrisma()
      .$transaction((tx) => tx.engineJournalMark.create({ data: { nodeName: "waited", seq: 1 } }))
      .finally(() => (waiting.transaction = false));
    // Timers fire meanwhile: SQLite's busy handler, which sleeps on the event loop, would have held this one back.
    // Longer than Prisma's default wait for a transaction to start (2 s), which would have given up.
    await sleep(3_000);
    // Reads need no lock (WAL): one is answered while both wait.
    expect(await getPrisma().user.count({ where: { email: "waited@example.com" } })).toBe(0);
    expect(waiting).toEqual({ write: true, transaction: true });
    await lock.release();
    await Promise.all([write, transaction]);
    expect(await getPrisma().user.count({ where: { email: "waited@example.com" } })).toBe(1);
    expect(await getPrisma().engineJournalMark.count({ where: { nodeName: "waited" } })).toBe(1);
  });

  it("fails a write with the database's own reason once it was held too long, and nothing of it is written", async () => {
    const lock = await holdDatabaseLock(file(), 11_000);
    const failed = await getPrisma()
      .user.create({ data: { email: "too-late@example.com", passwordHash: "x" } })
      .catch((error: Error) => error.message);
    await lock.release();
    expect(failed).toMatch(/timed out|locked|busy/i);
    expect(await getPrisma().user.count({ where: { email: "too-late@example.com" } })).toBe(0);
  }, 30_000);
});
