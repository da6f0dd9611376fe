import { describe, expect, it } from "vitest";
import { RateLimiter } from "@/lib/auth/rate-limit";

describe("RateLimiter", () => {
  it("lets a key fail `limit` times, then makes it wait until the window ends", () => {
    const limiter = new RateLimiter(3, 60_000);
    const start = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter("alice", start)).toBe(0);
      limiter.fail("alice", start);
    }
    expect(limiter.retryAfter("alice", start + 1_000)).toBe(59_000);
    expect(limiter.retryAfter("bob", start + 1_000)).toBe(0);
    expect(limiter.retryAfter("alice", start + 60_000)).toBe(0);
  });

  it("forgets a key's failures after a success", () => {
    const limiter = new RateLimiter(1, 60_000);
    limiter.fail("alice", 0);
    expect(limiter.retryAfter("alice", 1)).toBeGreaterThan(0);
    limiter.reset("alice");
    expect(limiter.retryAfter("alice", 1)).toBe(0);
  });

  it("takes back a failure counted in advance", () => {
    const limiter = new RateLimiter(1, 60_000);
    limiter.fail("alice", 0);
    limiter.giveBack("alice");
    expect(limiter.retryAfter("alice", 1)).toBe(0);
  });
});
