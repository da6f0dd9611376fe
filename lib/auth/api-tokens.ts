import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "@/lib/api/api-error";
import type { AuditAction } from "@/lib/audit/audit-actions";
import { audited, type AuditInput } from "@/lib/audit/audit-log";
import { recheckLiveAccess } from "@/lib/tunnels/recheck-live-access";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ApiTokenKind, Role, TokenScope } from "@/lib/generated/prisma/enums";
import type { CreateApiTokenInput } from "@/lib/validation/api-tokens";

const TOKEN_PREFIX = "wrn_";

// Tokens carry 256 random bits, so a fast hash is enough to make a stolen
// database useless; a slow password hash would only slow every API call.
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new token's secret, and what is stored of it. */
export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashApiToken(token), prefix: token.slice(0, 10) };
}

export const apiTokenSelect = {
  id: true,
  kind: true,
  scope: true,
  name: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  revokedAt: true,
} as const;

/** The audit action for revoking a token of this kind. */
const revokedAction = (kind: ApiTokenKind): AuditAction => (kind === "device" ? "device.revoked" : "token.revoked");

function mayManage(ctx: Ctx, userId: string) {
  if (ctx.actor.type === "user" && ctx.actor.role !== "admin" && ctx.actor.id !== userId) {
    throw new ApiError({ code: "forbidden", message: "you can only manage your own tokens" });
  }
}

/** Creates a token; the secret is returned here once and never again. */
export async function createApiToken({ ctx, input: data }: { ctx: Ctx; input: { userId: string } & CreateApiTokenInput }) {
  mayManage(ctx, data.userId);
  const { token, hash, prefix } = newApiToken();
  const record = await audited(ctx, async (tx) => {
    const expiresAt = new Date(Date.now() + data.expiresInDays * 24 * 60 * 60_000);
    const created = await tx.apiToken.create({
      data: { userId: data.userId, name: data.name, prefix, hash, scope: data.scope, expiresAt },
      select: apiTokenSelect,
    });
    const details = { name: created.name, prefix: created.prefix, userId: data.userId, scope: created.scope, expiresAt: expiresAt.toISOString() };
    return { result: created, audit: { action: "token.created", subjectId: created.id, details } };
  });
  return { token, record };
}

/** A user's tokens, newest first: of one kind, or all (the CLI). */
export async function listApiTokens({ ctx, input }: { ctx: Ctx; input: { userId: string; kind?: ApiTokenKind } }) {
  mayManage(ctx, input.userId);
  return getPrisma().apiToken.findMany({
    where: { userId: input.userId, ...(input.kind ? { kind: input.kind } : {}) },
    select: apiTokenSelect,
    orderBy: { createdAt: "desc" },
  });
}

/** Revokes a token of any kind (a device's is audited as `device.revoked`); revoking it again changes nothing. */
export async function revokeApiToken({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const prisma = getPrisma();
  const existing = await prisma.apiToken.findUnique({ where: { id: input.id }, select: { userId: true, revokedAt: true } });
  if (!existing) throw new ApiError({ code: "not_found", field: "id", message: `no token with id ${input.id}` });
  mayManage(ctx, existing.userId);
  if (existing.revokedAt) return prisma.apiToken.findUniqueOrThrow({ where: { id: input.id }, select: apiTokenSelect });
  const answer = await audited(ctx, (tx) => revokeInTransaction(tx, input.id, existing.userId));
  recheckLiveAccess(); // its `warren connect` connections end now
  return answer;
}

/** The change and its audit record, for audited(): a compare-and-set, so two revocations racing record one. */
export async function revokeInTransaction(tx: Prisma.TransactionClient, id: string, userId: string, details: Record<string, unknown> = {}) {
  type Change = { result: Prisma.ApiTokenGetPayload<{ select: typeof apiTokenSelect }>; audit: AuditInput[] };
  const { count } = await tx.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  const revoked = await tx.apiToken.findUniqueOrThrow({ where: { id }, select: apiTokenSelect });
  const change: Change = { result: revoked, audit: [] };
  if (count > 0) {
    change.audit.push({
      action: revokedAction(revoked.kind),
      subjectId: revoked.id,
      details: { name: revoked.name, prefix: revoked.prefix, userId, ...details },
    });
  }
  return change;
}

/** Who holds a presented token, and which token it is. */
export type TokenHolder = {
  token: { id: string; kind: ApiTokenKind; scope: TokenScope; expiresAt: Date | null };
  user: { id: string; email: string; name: string | null; role: Role; disabled: boolean };
};

/** A presented token that does not work, and why (told to the audit trail; to the caller only "expired"). */
export type TokenRefusal = { refused: "unknown" | "revoked" | "expired" | "user disabled"; expiresAt?: Date };

// Minute resolution is enough for "last used" and spares a write per request;
// a new address is written at once.
const LAST_USE_RESOLUTION_MS = 60_000;

/** The token and its user, or why it does not work: unknown, revoked, expired
 *  or its user disabled. Records when and from where (`ip`) it was last used. */
export async function checkApiToken(token: string, ip: string | null = null): Promise<TokenHolder | TokenRefusal> {
  if (!token.startsWith(TOKEN_PREFIX)) return { refused: "unknown" };
  const prisma = getPrisma();
  const record = await prisma.apiToken.findUnique({
    where: { hash: hashApiToken(token) },
    select: {
      id: true,
      kind: true,
      scope: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      lastUsedIp: true,
      user: { select: { id: true, email: true, name: true, role: true, disabled: true } },
    },
  });
  const now = Date.now();
  if (!record) return { refused: "unknown" };
  if (record.revokedAt) return { refused: "revoked" };
  if (record.user.disabled) return { refused: "user disabled" };
  if (record.expiresAt && record.expiresAt.getTime() <= now) return { refused: "expired", expiresAt: record.expiresAt };
  const stale = !record.lastUsedAt || now - record.lastUsedAt.getTime() > LAST_USE_RESOLUTION_MS;
  if (stale || (ip && ip !== record.lastUsedIp)) {
    await prisma.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: new Date(now), ...(ip ? { lastUsedIp: ip } : {}) } });
  }
  return { token: { id: record.id, kind: record.kind, scope: record.scope, expiresAt: record.expiresAt }, user: record.user };
}

/** The user a bearer token belongs to, or null when it is unknown, revoked, expired or its user disabled. */
export async function userFromApiToken(token: string, ip: string | null = null) {
  const checked = await checkApiToken(token, ip);
  return "refused" in checked ? null : checked.user;
}
