import { ensureHeadAnchor, pruneAudit, verifyAuditChain } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { noticeChainBroken } from "@/lib/notifications/chain-notice";
import type { Feature } from "@/server/feature";
import { auditChainOk, registry } from "@/server/metrics/metrics";

const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

/** Checks the whole chain as `warren audit verify` does: a break is an error
 *  in the log naming the first bad record, warren_audit_chain_ok 0, and a
 *  notification to admins. */
async function checkChain() {
  const result = await verifyAuditChain();
  if (!registry.getSingleMetric("warren_audit_chain_ok")) registry.registerMetric(auditChainOk);
  auditChainOk.set(result.ok ? 1 : 0);
  if (result.ok) log().info(`the audit chain verifies: ${result.checked} records checked, up to record ${result.lastSeq}`);
  else {
    const { seq, problem } = result.firstProblem;
    log().error({ seq }, `the audit chain is broken at record ${seq}: ${problem}. Run npm run warren -- audit verify, and see docs/operations.md`);
    await noticeChainBroken(seq, problem);
  }
}

/** The audit trail's upkeep: anchors the chain's head if it has no anchor
 *  yet, then checks the chain at start and every WARREN_AUDIT_VERIFY_HOURS;
 *  prunes at start and every six hours when a retention period is set. */
export function registerAuditUpkeep(): Feature {
  const { auditRetentionDays: days, auditVerifyHours: hours } = getConfig();
  const check = () => checkChain().catch((error: unknown) => log().error({ err: error }, "checking the audit chain failed"));
  let checking = ensureHeadAnchor()
    .catch((error: unknown) => log().error({ err: error }, "anchoring the audit chain's head failed"))
    .then(() => (hours > 0 ? check() : undefined));
  const checks = hours > 0 ? setInterval(() => (checking = check()), hours * 60 * 60 * 1000).unref() : undefined;
  const prune = () => void pruneAudit(days).catch((error: unknown) => log().error({ err: error }, "pruning the audit trail failed"));
  if (days > 0) prune();
  const prunes = days > 0 ? setInterval(prune, PRUNE_EVERY_MS).unref() : undefined;
  return {
    name: "audit upkeep",
    async stop() {
      clearInterval(checks);
      clearInterval(prunes);
      await checking;
    },
  };
}
