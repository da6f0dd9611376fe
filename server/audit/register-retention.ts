import { ensureHeadAnchor, pruneAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import type { Feature } from "@/server/feature";
import { log } from "@/lib/log";

const EVERY_MS = 6 * 60 * 60 * 1000;

/** Anchors the chain's head if it has no anchor yet; prunes the audit trail
 *  at start and every six hours, when a retention period is set. */
export function registerAuditRetention(): Feature {
  void ensureHeadAnchor().catch((error: unknown) => log().error({ err: error }, "anchoring the audit chain's head failed"));
  const days = getConfig().auditRetentionDays;
  const prune = () => void pruneAudit(days).catch((error: unknown) => log().error({ err: error }, "pruning the audit trail failed"));
  if (days > 0) prune();
  const timer = days > 0 ? setInterval(prune, EVERY_MS).unref() : undefined;
  return { name: "audit retention", stop: async () => clearInterval(timer) };
}
