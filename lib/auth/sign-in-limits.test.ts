import { describe, expect, it } from "vitest";
import { reserveSignIn, signInSucceeded, sourceKey } from "@/lib/auth/sign-in-limits";

describe("sign-in limits", () => {
  it("count a source by its IPv4 address, or by its IPv6 /64", () => {
    expect(sourceKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(sourceKey("2001:db8:1:2:aaaa::1")).toBe(sourceKey("2001:db8:1:2:bbbb::9"));
    expect(sourceKey("2001:db8:1:3::1")).not.toBe(sourceKey("2001:db8:1:2::1"));
    expect(sourceKey(null)).toBe("unknown");
  });

  it("reserve ten attempts per account from one source, and no more until one succeeds", () => {
    const attempt = { email: "limits-1@example.com", ip: "192.0.2.1" };
    for (let i = 0; i < 10; i++) expect(reserveSignIn(attempt, 0)).toBe(0);
    expect(reserveSignIn(attempt, 1_000)).toBe(15 * 60_000 - 1_000);
    expect(reserveSignIn({ ...attempt, ip: "192.0.2.2" }, 1_000)).toBe(0);
    expect(reserveSignIn({ ...attempt, email: "limits-2@example.com" }, 1_000)).toBe(0);
  });

  it("reserve thirty attempts per source over all accounts; a success gives its own back", () => {
    const ip = "192.0.2.3";
    for (let i = 0; i < 29; i++) expect(reserveSignIn({ email: `limits-${i}@example.com`, ip }, 0)).toBe(0);
    expect(reserveSignIn({ email: "owner@example.com", ip }, 0)).toBe(0);
    signInSucceeded({ email: "owner@example.com", ip });
    expect(reserveSignIn({ email: "another@example.com", ip }, 0)).toBe(0);
    expect(reserveSignIn({ email: "owner@example.com", ip }, 0)).toBeGreaterThan(0);
  });
});
