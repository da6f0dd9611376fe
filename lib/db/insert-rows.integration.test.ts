// insertRows writes through SQLite's json_each or PostgreSQL's
// json_populate_recordset: the rows must read back, and sort and filter,
// exactly like rows Prisma wrote itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemCtx } from "@/lib/context";
import { insertRows } from "@/lib/db/insert-rows";
import { getPrisma } from "@/lib/db/prisma";
import { createHost } from "@/lib/hosts";
import { createUser } from "@/lib/users";
import { createUserSchema } from "@/lib/validation/users";
import { useTestDatabase } from "@/tests/harness/test-database";

let db: Awaited<ReturnType<typeof useTestDatabase>>;
let tunnelId: string;

beforeAll(async () => {
  db = await useTestDatabase();
  const ctx = systemCtx("test");
  const hostId = (await createHost({ ctx, input: { name: "lab", address: "127.0.0.1", port: 22, username: "lab", generateKey: true } })).id;
  const ownerId = (await createUser({ ctx, input: createUserSchema.parse({ email: "owner@example.com", password: "correct horse battery" }) })).id;
  const expiresAt = new Date(Date.now() + 3_600_000);
  tunnelId = (
    await getPrisma().tunnel.create({
      data: { kind: "local", hostId, ownerId, listenAddress: "127.0.0.1", listenPort: 20001, targetHost: "db", targetPort: 5432, expiresAt },
    })
  ).id;
});

afterAll(async () => {
  await db?.dispose();
});

const COLUMNS = ["id", "tunnelId", "source", "destination", "bytesIn", "bytesOut", "openedAt", "closedAt", "error"] as const;

describe("insertRows", () => {
  it("writes dates, big counters, nulls and quotes as Prisma's own writes read back", async () => {
    const openedAt = new Date("2026-12-04T10:00:00.123Z");
    const closedAt = new Date("2026-12-04T10:00:01.456Z");
    const source = `it's "quoted" \\ and ünïcode ${"x".repeat(300)}`;
    await insertRows(getPrisma(), "TunnelConnection", COLUMNS, [
      { id: "a", tunnelId, source, destination: null, bytesIn: 2 ** 40, bytesOut: 0, openedAt, closedAt, error: null },
      { id: "b", tunnelId, source: "127.0.0.1:2", destination: "db:5432", bytesIn: 1, bytesOut: 2, openedAt: closedAt, closedAt, error: "refused" },
    ]);
    const viaPrisma = await getPrisma().tunnelConnection.create({ data: { id: "c", tunnelId, source: "s", openedAt, closedAt, bytesIn: 5n } });

    const rows = await getPrisma().tunnelConnection.findMany({ where: { tunnelId }, orderBy: { id: "asc" } });
    expect(rows[0]).toEqual({
      id: "a",
      tunnelId,
      source,
      destination: null,
      bytesIn: 2n ** 40n,
      bytesOut: 0n,
      openedAt,
      closedAt,
      error: null,
      via: null,
      userId: null,
    });
    expect(rows[1]).toMatchObject({ destination: "db:5432", error: "refused", bytesIn: 1n, bytesOut: 2n });
    expect(rows[2]).toEqual(viaPrisma);
    // Stored as the same text as Prisma's: date comparisons in SQL see them alike.
    const sameTime = await getPrisma().tunnelConnection.findMany({ where: { openedAt }, select: { id: true }, orderBy: { id: "asc" } });
    expect(sameTime.map((row) => row.id)).toEqual(["a", "c"]);
  });

  it("writes nothing for no rows", async () => {
    await expect(insertRows(getPrisma(), "TunnelConnection", COLUMNS, [])).resolves.toBeUndefined();
  });
});
