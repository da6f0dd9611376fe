import { describe, expect, it } from "vitest";
import { RefusalDigest } from "@/server/tunnels/refusal-digest";

const tunnel = { id: "t1", hostId: "h1" };
const at = (second: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, second));
const refusal = (source: string, reason = "not an allowed source") => ({ source, destination: null, reason });

describe("the refusal digest", () => {
  it("lets the first refusals from a source through one by one, then counts them into one summary per source", () => {
    const digest = new RefusalDigest({ individually: 3, sources: 10 });
    const admitted = Array.from({ length: 1_000 }, (_, i) => digest.admit(tunnel, refusal(`10.88.0.2:${40000 + i}`), at(Math.floor(i / 20))));
    expect(admitted.filter(Boolean)).toHaveLength(3);
    expect(admitted.slice(0, 3)).toEqual([true, true, true]);
    expect(digest.admit(tunnel, refusal("::1:5000"), at(5))).toBe(true); // another source starts on its own
    expect(digest.drain()).toEqual([
      { tunnelId: "t1", hostId: "h1", address: "10.88.0.2", reason: "not an allowed source", count: 997, first: at(0), last: at(49) },
    ]);
  });

  it("keeps counting a flood that goes on across intervals, and starts afresh after a quiet one", () => {
    const digest = new RefusalDigest({ individually: 2, sources: 10 });
    for (let i = 0; i < 5; i++) digest.admit(tunnel, refusal(`10.0.0.9:${i}`), at(i));
    expect(digest.drain().map((summary) => summary.count)).toEqual([3]);
    // Still flooding: nothing on its own any more.
    expect(digest.admit(tunnel, refusal("10.0.0.9:7"), at(61))).toBe(false);
    expect(digest.drain().map((summary) => summary.count)).toEqual([1]);
    expect(digest.drain()).toEqual([]); // a quiet interval
    expect(digest.admit(tunnel, refusal("10.0.0.9:8"), at(130))).toBe(true);
  });

  it("says when the reasons differ, and counts sources beyond its limit together", () => {
    const digest = new RefusalDigest({ individually: 0, sources: 2 });
    digest.admit(tunnel, refusal("10.0.0.1:1", "destination not allowed: a"), at(1));
    digest.admit(tunnel, refusal("10.0.0.1:2", "destination not allowed: b"), at(2));
    for (let i = 2; i < 50; i++) digest.admit(tunnel, refusal(`10.0.0.${i}:1`), at(3));
    expect(digest.drain().map(({ address, reason, count }) => [address, reason, count])).toEqual([
      ["10.0.0.1", "various reasons", 2],
      ["10.0.0.2", "not an allowed source", 1],
      ["other addresses", "not an allowed source", 47],
    ]);
  });

  it("drains one closing tunnel entirely, leaving the others", () => {
    const digest = new RefusalDigest({ individually: 0, sources: 10 });
    digest.admit(tunnel, refusal("10.0.0.1:1"), at(1));
    digest.admit({ id: "t2", hostId: "h1" }, refusal("10.0.0.1:1"), at(1));
    expect(digest.drain("t1").map((summary) => summary.tunnelId)).toEqual(["t1"]);
    expect(digest.drain("t1")).toEqual([]);
    expect(digest.drain().map((summary) => summary.tunnelId)).toEqual(["t2"]);
  });
});
