import { describe, expect, it } from "vitest";
import { extendedExpiry } from "@/lib/tunnels/tunnel-expiry";

const now = Date.parse("2026-12-05T20:00:00Z");
const at = (minutes: number) => new Date(now + minutes * 60_000);

describe("extendedExpiry", () => {
  it("adds the time to what is left, so a shorter extension never shortens", () => {
    expect(extendedExpiry(at(24 * 60), 60, 48 * 60, now)).toEqual(at(25 * 60));
    expect(extendedExpiry(at(10), 60, 1440, now)).toEqual(at(70));
  });

  it("counts from now for a tunnel whose expiry has just passed, and stops at the host's maximum from now", () => {
    expect(extendedExpiry(at(-1), 30, 1440, now)).toEqual(at(30));
    expect(extendedExpiry(at(100), 60, 120, now)).toEqual(at(120));
  });
});
