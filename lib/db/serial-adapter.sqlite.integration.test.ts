// One SQLite connection for the process: a statement from outside an open
// interactive transaction must neither join it nor see inside it.
// SQLite only: this is serial-adapter.ts, which serialises the one
// better-sqlite3 connection; PostgreSQL's pool gives a transaction a
// connection of its own, and no such adapter is in between.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db/prisma";
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
