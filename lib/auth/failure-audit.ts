// Failed credentials are audited one by one only up to a few a minute from
// each address; beyond that they are counted and written as one record when
// the minute ends ("37 more from 10.0.0.9 in the last 60 s"). A flood stays
// visible without filling the disk, whatever the attacker sends.
import { recordAudit } from "@/lib/audit/audit-log";
import type { AuditAction } from "@/lib/audit/audit-actions";
import type { Ctx } from "@/lib/context";

type Write = typeof recordAudit;
/** `group`: what every failure of the kind shares, kept in the summary; `details`: this one's own. */
export type Failure = { action: AuditAction; group?: Record<string, string>; details: Record<string, unknown> };

export class FailureAudit {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly write: Write = recordAudit,
  ) {}

  /** Writes the failure now while its address is within its allowance; else counts it for the window's summary. */
  async record(ctx: Ctx, { action, group = {}, details }: Failure): Promise<void> {
    const key = JSON.stringify([action, ctx.ip ?? null, group]);
    const seen = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, seen);
    if (seen === 1) setTimeout(() => this.summarise(key, ctx, action, group), this.windowMs).unref();
    if (seen <= this.perWindow) await this.write(ctx, { action, details: { ...group, ...details } });
  }

  private summarise(key: string, ctx: Ctx, action: AuditAction, group: Record<string, string>) {
    const more = (this.seen.get(key) ?? 0) - this.perWindow;
    this.seen.delete(key);
    if (more <= 0) return;
    const seconds = Math.round(this.windowMs / 1000);
    const details = { ...group, more, seconds, summary: `${more} more from ${ctx.ip ?? "an unknown address"} in the last ${seconds} s` };
    this.write(ctx, { action, details }).catch((error: unknown) => console.error("warren: cannot audit failed credentials", error));
  }
}

const globalForAudit = globalThis as typeof globalThis & { warrenFailureAudit?: FailureAudit };

/** The process-wide one: five records a minute per address and kind of failure, then a count. */
export function failureAudit(): FailureAudit {
  globalForAudit.warrenFailureAudit ??= new FailureAudit(5, 60_000);
  return globalForAudit.warrenFailureAudit;
}
