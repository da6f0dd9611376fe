// Failed credentials are audited one by one only up to a few a minute from
// each source (an IPv4 address or an IPv6 /64); beyond that they are counted
// and written as one record when the minute ends ("37 more from 10.0.0.9 in
// the last 60 s"). Past a thousand sources in a minute, new ones share one
// count. A flood stays visible without filling the disk or the memory,
// whatever the attacker sends and from however many addresses.
import { recordAudit } from "@/lib/audit/audit-log";
import type { AuditAction } from "@/lib/audit/audit-actions";
import { sourceKey } from "@/lib/auth/sign-in-limits";
import type { Ctx } from "@/lib/context";
import { processGlobals } from "@/lib/process-globals";
import { log } from "@/lib/log";

type Write = typeof recordAudit;
/** `group`: what every failure of the kind shares, kept in the summary; `details`: this one's own. */
export type Failure = { action: AuditAction; group?: Record<string, string>; details: Record<string, unknown> };
type Window = { seen: number; source: string };

const MAX_SOURCES = 1_000;

export class FailureAudit {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly write: Write = recordAudit,
  ) {}

  /** Writes the failure now while its source is within its allowance; else counts it for the window's summary. */
  async record(ctx: Ctx, { action, group = {}, details }: Failure): Promise<void> {
    let source = sourceKey(ctx.ip ?? null);
    let key = JSON.stringify([action, source, group]);
    if (!this.windows.has(key) && this.windows.size >= MAX_SOURCES) {
      source = "other addresses";
      key = JSON.stringify([action, source, group]);
    }
    let window = this.windows.get(key);
    if (!window) {
      window = { seen: 0, source };
      this.windows.set(key, window);
      setTimeout(() => this.summarise(key, ctx, action, group), this.windowMs).unref();
    }
    window.seen += 1;
    if (window.seen <= this.perWindow) await this.write(ctx, { action, details: { ...group, ...details } });
  }

  private summarise(key: string, ctx: Ctx, action: AuditAction, group: Record<string, string>) {
    const window = this.windows.get(key);
    this.windows.delete(key);
    const more = (window?.seen ?? 0) - this.perWindow;
    if (!window || more <= 0) return;
    const seconds = Math.round(this.windowMs / 1000);
    const details = { ...group, more, seconds, summary: `${more} more from ${window.source} in the last ${seconds} s` };
    this.write(ctx, { action, details }).catch((error: unknown) => log().error({ err: error }, "cannot audit failed credentials"));
  }
}

/** The process-wide one: five records a minute per source and kind of failure, then a count. */
export function failureAudit(): FailureAudit {
  processGlobals.warrenFailureAudit ??= new FailureAudit(5, 60_000);
  return processGlobals.warrenFailureAudit;
}
