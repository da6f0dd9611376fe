// `warren rotate-secret`: everything WARREN_SECRET_KEY protects moved to a
// new key, in one transaction: the sealed columns re-encrypted, the nodes'
// key check sealed anew, the retention checkpoint signed anew, and the audit
// chain continued under the new key behind an audit.key_rotated record, whose
// prevHash is the old head and whose details sign it with the new key. The
// old audit key is kept, sealed with the new secret key (AuditKeyEpoch), so
// the records it sealed still verify from the chain's start.
//
// After the commit, a key Warren generated into the data directory is
// replaced (written beside it before the transaction, renamed over it after:
// a kill in between leaves `secret-key.next` holding the new key) and the
// head anchor is rewritten under the new key. Every node must be stopped:
// running ones would go on sealing with the old key.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SEALED_PURPOSE as AUDIT_SINK_SETTINGS } from "@/lib/audit/audit-sinks";
import { ANCHOR_FILE, type ChainHead, HeadAnchor } from "@/lib/audit/audit-anchor";
import { auditKey, type SealedAuditRecord, signCheckpoint } from "@/lib/audit/audit-chain";
import { appendRecords, chainBrokenMessage, chainHead, lockChain, RETIRED_AUDIT_KEY, TRANSACTION_LIMITS, verifyAuditChain } from "@/lib/audit/audit-log";
import { SEALED_AS as TOTP_SECRET } from "@/lib/auth/second-factor";
import { PURPOSE as SIGNING_KEY } from "@/lib/apps/signing-keys";
import { generatedSecretPath, getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { clusterKeyMac } from "@/lib/crypto/cluster-key-mac";
import { open, seal } from "@/lib/crypto/secret-box";
import { getPrisma } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { nodeRunning } from "@/lib/host-nodes";
import { SLACK_SEALED_AS as SLACK_WEBHOOK } from "@/lib/notifications/notification-settings";
import { PASSPHRASE as HOST_PASSPHRASE, PRIVATE_KEY as HOST_PRIVATE_KEY } from "@/lib/hosts";
import { ENGINE_JOURNAL_FILE } from "@/lib/tunnels/engine-port";

/** Why the key was not rotated; nothing was changed. */
export class SecretRotationError extends Error {}

type SealedColumn = { table: Prisma.ModelName; key: string; column: string; purpose: string };

/** Every column sealed with WARREN_SECRET_KEY. A device's token waiting to be
 *  collected is sealed with its device code instead, so it stays as it is. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "Host", key: "id", column: "privateKeyEnc", purpose: HOST_PRIVATE_KEY },
  { table: "Host", key: "id", column: "passphraseEnc", purpose: HOST_PASSPHRASE },
  { table: "User", key: "id", column: "totpSecretEnc", purpose: TOTP_SECRET },
  { table: "User", key: "id", column: "totpPendingEnc", purpose: TOTP_SECRET },
  { table: "User", key: "id", column: "slackWebhookEnc", purpose: SLACK_WEBHOOK },
  { table: "AuditSink", key: "name", column: "configEnc", purpose: AUDIT_SINK_SETTINGS },
  { table: "SigningKey", key: "kid", column: "privateJwk", purpose: SIGNING_KEY },
  { table: "AuditKeyEpoch", key: "fromSeq", column: "keySealed", purpose: RETIRED_AUDIT_KEY },
];

const quoted = (name: string) => Prisma.raw(`"${name}"`);

/** Re-encrypts one column's values from `from` to `to`; answers how many. */
async function reseal(tx: Prisma.TransactionClient, { table, key, column, purpose }: SealedColumn, from: Buffer, to: Buffer): Promise<number> {
  const rows = await tx.$queryRaw<{ key: string | number; sealed: string }[]>(
    Prisma.sql`SELECT ${quoted(key)} AS "key", ${quoted(column)} AS "sealed" FROM ${quoted(table)} WHERE ${quoted(column)} IS NOT NULL`,
  );
  for (const row of rows) {
    let plaintext: string;
    try {
      plaintext = open(row.sealed, purpose, from);
    } catch {
      throw new SecretRotationError(`${table} ${row.key}: its ${column} does not open with the current WARREN_SECRET_KEY; nothing was changed`);
    }
    await tx.$executeRaw(Prisma.sql`UPDATE ${quoted(table)} SET ${quoted(column)} = ${seal(plaintext, purpose, to)} WHERE ${quoted(key)} = ${row.key}`);
  }
  return rows.length;
}

/** Refuses while any node runs, or while this data directory's engine journal holds entries sealed with the old key. */
async function assertStopped(dataDir: string) {
  const running = (await getPrisma().node.findMany({ select: { name: true, heartbeatAt: true, stoppedAt: true } })).filter((node) => nodeRunning(node));
  if (running.length > 0) {
    const names = running.map((node) => `${node.name} (heartbeat ${node.heartbeatAt.toISOString()})`).join(", ");
    throw new SecretRotationError(`Warren is running on ${names}: stop it on every node, then run rotate-secret again; nothing was changed`);
  }
  const journal = path.join(dataDir, ENGINE_JOURNAL_FILE);
  if (existsSync(journal) && readFileSync(journal, "utf8").trim() !== "") {
    throw new SecretRotationError(
      `${journal} holds entries Warren has not committed (it was not stopped cleanly): start Warren and stop it once, so it commits them, then run rotate-secret again; nothing was changed`,
    );
  }
}

export type Rotation = { record: SealedAuditRecord; resealed: number; keyFile: string | null };

/** Moves everything sealed with the configured WARREN_SECRET_KEY to `newKey`.
 *  `checked` runs once every check passed, before anything changes. */
export async function rotateSecretKey({ ctx, newKey, checked }: { ctx: Ctx; newKey: Buffer; checked: () => void }): Promise<Rotation> {
  const { dataDir, secretKey: oldKey } = getConfig();
  if (newKey.equals(oldKey)) throw new SecretRotationError("the new key is the current WARREN_SECRET_KEY; nothing was changed");
  await assertStopped(dataDir);
  const verified = await verifyAuditChain();
  if (!verified.ok) throw new SecretRotationError(`${chainBrokenMessage(verified)}: a broken chain is not continued under a new key; nothing was changed`);
  checked();

  const keyFile = generatedSecretPath("WARREN_SECRET_KEY", dataDir);
  const nextKeyFile = `${keyFile}.next`;
  if (keyFile) writeFileSync(nextKeyFile, `${newKey.toString("hex")}\n`, { mode: 0o600 });
  const newAuditKey = auditKey(newKey);
  let rotation: Omit<Rotation, "keyFile">;
  try {
    rotation = await getPrisma().$transaction(async (tx) => {
      await lockChain(tx);
      let resealed = 0;
      for (const column of SEALED_COLUMNS) resealed += await reseal(tx, column, oldKey, newKey);
      const head = await chainHead(tx);
      await tx.auditKeyEpoch.create({ data: { fromSeq: head.seq + 1, keySealed: seal(auditKey(oldKey).toString("hex"), RETIRED_AUDIT_KEY, newKey) } });
      await tx.clusterKeys.updateMany({ data: { secretKeyMac: clusterKeyMac(newKey, "WARREN_SECRET_KEY") } });
      const checkpoint = await tx.auditCheckpoint.findUnique({ where: { id: 1 } });
      if (checkpoint) await tx.auditCheckpoint.update({ where: { id: 1 }, data: { signature: signCheckpoint(checkpoint, newAuditKey) } });
      const previousHead: ChainHead = { seq: head.seq, hash: head.hash };
      const details = { previousHead, signature: signCheckpoint(previousHead, newAuditKey), resealed };
      const [record] = await appendRecords(tx, ctx, [{ action: "audit.key_rotated", details }], head, newAuditKey);
      return { record: record!, resealed };
    }, TRANSACTION_LIMITS);
  } catch (error) {
    if (keyFile) rmSync(nextKeyFile, { force: true });
    throw error;
  }
  if (keyFile) renameSync(nextKeyFile, keyFile);
  new HeadAnchor(path.join(dataDir, ANCHOR_FILE), newAuditKey).replace(rotation.record);
  return { ...rotation, keyFile };
}
