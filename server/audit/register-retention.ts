import { pruneAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import type { Feature } from "@/server/feature";

const EVERY_MS = 6 * 60 * 60 * 1000;

/** Prunes the audit trail at start and every six hours, when a retention period is set. */
export function registerAuditRetention(): Feature {
  const days = getConfig().auditRetentionDays;
  const prune = () => void pruneAudit(days).catch((error: unknown) => console.error("warren: pruning the audit trail failed:", error));
  if (days > 0) prune();
  const timer = days > 0 ? setInterval(prune, EVERY_MS).unref() : undefined;
  return { name: "audit retention", stop: async () => clearInterval(timer) };
}
