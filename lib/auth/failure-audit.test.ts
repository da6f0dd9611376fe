import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditInput } from "@/lib/audit/audit-log";
import { FailureAudit } from "@/lib/auth/failure-audit";
import type { Ctx } from "@/lib/context";

const from = (ip: string): Ctx => ({ actor: { type: "system", name: "api" }, ip });

afterEach(() => vi.useRealTimers());

describe("FailureAudit", () => {
  it("writes the first failures from an address one by one, then one count when the window ends", async () => {
    vi.useFakeTimers();
    const written: [string | null | undefined, AuditInput][] = [];
    const audit = new FailureAudit(3, 60_000, async (ctx, input) => void written.push([ctx.ip, input as AuditInput]));
    for (let i = 0; i < 100; i++) await audit.record(from("192.0.2.9"), { action: "auth.token_failed", details: { prefix: `wrn_${i}` } });
    await audit.record(from("192.0.2.10"), { action: "auth.token_failed", details: { prefix: "wrn_x" } });
    expect(written.map(([ip, input]) => [ip, input.details])).toEqual([
      ["192.0.2.9", { prefix: "wrn_0" }],
      ["192.0.2.9", { prefix: "wrn_1" }],
      ["192.0.2.9", { prefix: "wrn_2" }],
      ["192.0.2.10", { prefix: "wrn_x" }],
    ]);
    vi.advanceTimersByTime(60_000);
    expect(written.slice(4).map(([ip, input]) => [ip, input])).toEqual([
      ["192.0.2.9", { action: "auth.token_failed", details: { more: 97, seconds: 60, summary: "97 more from 192.0.2.9 in the last 60 s" } }],
    ]);
    await audit.record(from("192.0.2.9"), { action: "auth.token_failed", details: { prefix: "wrn_again" } });
    expect(written.at(-1)?.[1].details).toEqual({ prefix: "wrn_again" });
  });

  it("counts each kind of failure apart and keeps what the kind shares in its summary", async () => {
    vi.useFakeTimers();
    const written: AuditInput[] = [];
    const audit = new FailureAudit(1, 60_000, async (_ctx, input) => void written.push(input as AuditInput));
    const limited = { action: "auth.sign_in_failed" as const, group: { reason: "rate limited" } };
    await audit.record(from("192.0.2.9"), { ...limited, details: { email: "a@example.com" } });
    await audit.record(from("192.0.2.9"), { ...limited, details: { email: "b@example.com" } });
    await audit.record(from("192.0.2.9"), { action: "auth.token_failed", details: { prefix: "wrn_1" } });
    vi.advanceTimersByTime(60_000);
    expect(written.map((input) => input.details)).toEqual([
      { reason: "rate limited", email: "a@example.com" },
      { prefix: "wrn_1" },
      { reason: "rate limited", more: 1, seconds: 60, summary: "1 more from 192.0.2.9 in the last 60 s" },
    ]);
  });

  it("counts an IPv6 /64 as one source, and sources past a thousand in a minute together", async () => {
    vi.useFakeTimers();
    const written: AuditInput[] = [];
    const audit = new FailureAudit(1, 60_000, async (_ctx, input) => void written.push(input as AuditInput));
    for (let i = 0; i < 50; i++) await audit.record(from(`2001:db8:0:1::${i.toString(16)}`), { action: "auth.token_failed", details: {} });
    for (let i = 1; i < 1_100; i++) await audit.record(from(`10.${i >> 8}.${i & 255}.1`), { action: "auth.token_failed", details: {} });
    expect(written).toHaveLength(1 + 999 + 1);
    vi.advanceTimersByTime(60_000);
    expect(written.slice(1_001).map((input) => input.details?.summary)).toEqual([
      "49 more from 2001:db8:0:1::/64 in the last 60 s",
      "99 more from other addresses in the last 60 s",
    ]);
  });
});
