// Storing tunnels' byte and connection counters: once a second for every
// moving tunnel (the engine's journal), and a tunnel's final ones with its close.
import { databaseProvider } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { LiveStats } from "@/lib/tunnels/engine-port";

export type StoredCounters = Pick<LiveStats, "bytesIn" | "bytesOut" | "connectionsTotal">;

// 7 parameters a row: well under SQLite's 32,766 per statement.
const COUNTER_ROWS_PER_STATEMENT = 1_000;

/** Moving tunnels' counters, a thousand to a statement: once a second for
 *  hundreds of tunnels, one query per tunnel cost the event loop far more.
 *  Counters only grow, and a close commits its final ones ahead of the
 *  journal's older entries: a value never lowers what is stored. */
export async function raiseCounters(tx: Prisma.TransactionClient, all: [string, StoredCounters][]) {
  for (let start = 0; start < all.length; start += COUNTER_ROWS_PER_STATEMENT) {
    await raiseCounterRows(tx, all.slice(start, start + COUNTER_ROWS_PER_STATEMENT));
  }
}

async function raiseCounterRows(tx: Prisma.TransactionClient, rows: [string, StoredCounters][]) {
  if (databaseProvider() === "postgresql") {
    const json = JSON.stringify(rows.map(([id, counters]) => ({ id, ...counters })));
    await tx.$executeRawUnsafe(
      `UPDATE "Tunnel" AS t SET "bytesIn" = GREATEST(t."bytesIn", v."bytesIn"), "bytesOut" = GREATEST(t."bytesOut", v."bytesOut"), "connectionsTotal" = GREATEST(t."connectionsTotal", v."connectionsTotal") FROM json_to_recordset($1::json) AS v("id" text, "bytesIn" bigint, "bytesOut" bigint, "connectionsTotal" integer) WHERE t."id" = v."id"`,
      json,
    );
    return;
  }
  const when = rows.map(() => "WHEN ? THEN ?").join(" ");
  const values = (pick: (counters: StoredCounters) => number) => rows.flatMap(([id, counters]) => [id, pick(counters)]);
  await tx.$executeRawUnsafe(
    `UPDATE "Tunnel" SET "bytesIn" = MAX("bytesIn", CASE "id" ${when} END), "bytesOut" = MAX("bytesOut", CASE "id" ${when} END), "connectionsTotal" = MAX("connectionsTotal", CASE "id" ${when} END) WHERE "id" IN (${rows.map(() => "?").join(", ")})`,
    ...values((c) => c.bytesIn),
    ...values((c) => c.bytesOut),
    ...values((c) => c.connectionsTotal),
    ...rows.map(([id]) => id),
  );
}
