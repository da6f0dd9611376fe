import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "@/lib/api/api-error";
import { audited } from "@/lib/audit/audit-log";
import { recheckConnectAccess } from "@/lib/connect/recheck-connect-access";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { CreateApiTokenInput } from "@/lib/validation/api-tokens";

const TOKEN_PREFIX = "wrn_";

// Tokens carry 256 random bits, so a fast hash is enough to make a stolen
// database useless; a slow password hash would only slow every API call.
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const apiTokenSelect = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

function mayManage(ctx: Ctx, userId: string) {
  if (ctx.actor.type === "user" && ctx.actor.role !== "admin" && ctx.actor.id !== userId) {
    throw new ApiError({ code: "forbidden", message: "you can only manage your own tokens" });
  }
}

/** Creates a token; the secret is returned here once and never again. */
export async function createApiToken({ ctx, input: data }: { ctx: Ctx; input: { userId: string } & CreateApiTokenInput }) {
  mayManage(ctx, data.userId);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const record = await audited(ctx, async (tx) => {
    const created = await tx.apiToken.create({
      data: { userId: data.userId, name: data.name, prefix: token.slice(0, 10), hash: hashApiToken(token) },
      select: apiTokenSelect,
    });
    return {
      result: created,
      audit: { action: "token.created", subjectId: created.id, details: { name: created.name, prefix: created.prefix, userId: data.userId } },
    };
  });
  return { token, record };
}

export async function listApiTokens({ ctx, input }: { ctx: Ctx; input: { userId: string } }) {
  mayManage(ctx, input.userId);
  return getPrisma().apiToken.findMany({
    where: { userId: input.userId },
    select: apiTokenSelect,
    orderBy: { createdAt: "desc" },
  });
}

export async function revokeApiToken({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const prisma = getPrisma();
  const existing = await prisma.apiToken.findUnique({ where: { id: input.id }, select: { userId: true, revokedAt: true } });
  if (!existing) throw new ApiError({ code: "not_found", field: "id", message: `no token with id ${input.id}` });
  mayManage(ctx, existing.userId);
  if (existing.revokedAt) return prisma.apiToken.findUniqueOrThrow({ where: { id: input.id }, select: apiTokenSelect });
  const answer = await audited(ctx, async (tx) => {
    const revoked = await tx.apiToken.update({ where: { id: input.id }, data: { revokedAt: new Date() }, select: apiTokenSelect });
    return {
      result: revoked,
      audit: { action: "token.revoked", subjectId: revoked.id, details: { name: revoked.name, prefix: revoked.prefix, userId: existing.userId } },
    };
  });
  recheckConnectAccess(); // its `warren connect` connections end now
  return answer;
}

/** The user a bearer token belongs to, or null when it is unknown, revoked or its user disabled. */
export async function userFromApiToken(token: string) {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const prisma = getPrisma();
  const record = await prisma.apiToken.findUnique({
    where: { hash: hashApiToken(token) },
    select: { id: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, name: true, role: true, disabled: true } } },
  });
  if (!record || record.revokedAt || record.user.disabled) return null;
  // Minute resolution is enough for "last used" and spares a write per request.
  if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > 60_000) {
    await prisma.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: new Date() } });
  }
  return record.user;
}
