import { describe, expect, it } from "vitest";
import { backoffMs } from "@/server/retry";

describe("backoffMs", () => {
  it("doubles from the first wait up to the longest, less up to a fifth at random", () => {
    const audit = { firstMs: 500, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((failures) => backoffMs(failures, audit, 0))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffMs(3, audit, 1)).toBe(1600);
  });
});
