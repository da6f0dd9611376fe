import { describe, expect, it } from "vitest";
import { CONNECTIONS_ONE_BY_ONE, connectionAudit } from "@/server/tunnels/connection-audit";
import type { JournalEntry } from "@/server/tunnels/engine-journal";

const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 9, 0, second));
let seq = 0;

function opened(tunnelId: string, id: string, source: string, second: number): JournalEntry {
  return { seq: ++seq, type: "opened", opened: { connectionId: id, tunnelId, hostId: "h1", source, destination: "db:5432", at: at(second) } };
}

function closed(tunnelId: string, id: string, source: string, second: number, error: string | null = null): JournalEntry {
  const record = { id, tunnelId, source, destination: "db:5432", bytesIn: 10, bytesOut: 100, openedAt: at(second), closedAt: at(second + 1), error };
  return { seq: ++seq, type: "closed", hostId: "h1", record };
}

/** `count` connections through `tunnelId`, each opened and closed in turn. */
const shortOnes = (tunnelId: string, count: number, source = "10.0.0.5") =>
  Array.from({ length: count }, (_, i) => [
    opened(tunnelId, `${tunnelId}-${i}`, `${source}:${40000 + i}`, i),
    closed(tunnelId, `${tunnelId}-${i}`, `${source}:${40000 + i}`, i),
  ]).flat();

describe("connectionAudit", () => {
  it("audits a tunnel's connections one by one at a person's pace, in the slice's order", () => {
    const refusal: JournalEntry = { seq: ++seq, type: "audit", input: { action: "connection.refused", tunnelId: "t1", at: at(9) } };
    const inputs = connectionAudit([...shortOnes("t1", 2), refusal]);
    expect(inputs.map((input) => input.action)).toEqual([
      "connection.accepted",
      "connection.closed",
      "connection.accepted",
      "connection.closed",
      "connection.refused",
    ]);
    expect(inputs[1]).toMatchObject({
      hostId: "h1",
      tunnelId: "t1",
      at: at(1),
      details: { source: "10.0.0.5:40000", bytesIn: 10, bytesOut: 100, durationMs: 1000 },
    });
  });

  it("sums up a storm: one record for those that closed, one for those still open, with counts, bytes and busiest sources", () => {
    const storm = shortOnes("busy", CONNECTIONS_ONE_BY_ONE, "10.0.0.5");
    const failing = closed("busy", "f", "10.0.0.6:1", 30, "connection refused by the target");
    const stillOpen = [opened("busy", "o1", "10.0.0.7:1", 31), opened("busy", "o2", "10.0.0.7:2", 32)];
    const carol = { userId: "u2", email: "carol@example.com", by: "expose" as const, client: "192.0.2.7" };
    if (stillOpen[1]!.type === "opened") stillOpen[1]!.opened.via = carol;
    const quiet = shortOnes("quiet", 1);
    const inputs = connectionAudit([...storm, quiet[0]!, failing, ...stillOpen, quiet[1]!]);
    expect(inputs.map((input) => [input.action, input.tunnelId])).toEqual([
      ["connection.accepted", "quiet"],
      ["connection.closed_many", "busy"],
      ["connection.accepted_many", "busy"],
      ["connection.closed", "quiet"],
    ]);
    expect(inputs[1]).toMatchObject({
      hostId: "h1",
      at: at(31),
      details: {
        count: CONNECTIONS_ONE_BY_ONE + 1,
        first: at(0).toISOString(),
        last: at(31).toISOString(),
        bytesIn: 10 * (CONNECTIONS_ONE_BY_ONE + 1),
        bytesOut: 100 * (CONNECTIONS_ONE_BY_ONE + 1),
        failed: 1,
        errors: { "connection refused by the target": 1 },
        sources: { "10.0.0.5": CONNECTIONS_ONE_BY_ONE, "10.0.0.6": 1 },
        destinations: { "db:5432": CONNECTIONS_ONE_BY_ONE + 1 },
      },
    });
    expect(inputs[2]).toMatchObject({
      at: at(32),
      details: { count: 2, sources: { "10.0.0.7": 2 }, via: { expose: 1 }, people: { "carol@example.com": 1 }, clients: { "192.0.2.7": 1 } },
    });
  });

  it("names the ten busiest sources and counts the others together", () => {
    const inputs = connectionAudit(Array.from({ length: 15 }, (_, i) => shortOnes("t", 2, `10.0.1.${i}`)).flat());
    expect(inputs).toHaveLength(1);
    const sources = inputs[0]!.details!.sources as Record<string, number>;
    expect(Object.keys(sources)).toHaveLength(11);
    expect(sources.others).toBe(10);
  });
});
