import { adminIds, newsOnly, notify } from "@/lib/notifications/notifications";

/** The scheduled check found the audit chain broken: admins hear where, once per first bad record. */
export const noticeChainBroken = newsOnly("the audit chain is broken", async (seq: number, problem: string) => {
  await notify(await adminIds(), {
    kind: "audit.chain_broken",
    title: `The audit chain does not verify from record ${seq}`,
    body: `Warren's scheduled check found that ${problem}. Someone may have changed the database: run npm run warren -- audit verify, and see docs/operations.md.`,
    url: "/audit",
    dedupeKey: `audit.chain_broken:${seq}`,
  });
});
