import { describe, expect, it } from "vitest";
import { backoffMs } from "@/server/audit/audit-streaming";

describe("backoffMs", () => {
  it("doubles from half a second up to 30 s, less up to a fifth at random", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((failures) => backoffMs(failures, 0))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffMs(3, 1)).toBe(1600);
  });
});
