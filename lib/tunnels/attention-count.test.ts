import { describe, expect, it } from "vitest";
import { attentionCount } from "@/lib/tunnels/attention-count";

const now = Date.parse("2026-12-06T12:00:00.000Z");
const inMinutes = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

describe("attentionCount", () => {
  it("counts the failed ones and the open ones with 10 minutes or less left", () => {
    expect(attentionCount({ failed: 0, openUntil: [] }, now)).toBe(0);
    expect(attentionCount({ failed: 2, openUntil: [inMinutes(11), inMinutes(60)] }, now)).toBe(2);
    expect(attentionCount({ failed: 1, openUntil: [inMinutes(10), inMinutes(3), inMinutes(-1), inMinutes(10.1)] }, now)).toBe(4);
  });

  it("counts a tunnel once its last 10 minutes begin, without anything new from the server", () => {
    const attention = { failed: 0, openUntil: [inMinutes(15)] };
    expect(attentionCount(attention, now)).toBe(0);
    expect(attentionCount(attention, now + 5 * 60_000)).toBe(1);
  });
});
