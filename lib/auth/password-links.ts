// One-time links that set a password: an admin invites someone to a new
// account, or resets a forgotten password, and hands the link over. The
// secret travels in the link's fragment (`/set-password#<secret>`), which
// browsers never send to a server or put in a Referer; the page posts it.
import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "@/lib/api/api-error";
import { audited } from "@/lib/audit/audit-log";
import { hashPassword } from "@/lib/auth/password";
import { requireAdmin } from "@/lib/auth/require-admin";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { PasswordLinkPurpose } from "@/lib/generated/prisma/enums";

const LIFETIME_MS: Record<PasswordLinkPurpose, number> = { invite: 7 * 24 * 60 * 60_000, reset: 24 * 60 * 60_000 };

const hashOf = (secret: string) => createHash("sha256").update(secret).digest("hex");

export type PasswordLinkDto = { url: string; purpose: PasswordLinkPurpose; expiresAt: string };

/** Within the change that calls for it (a new account, a reset): the link, replacing any older one. */
export async function issuePasswordLink(tx: Prisma.TransactionClient, userId: string, purpose: PasswordLinkPurpose): Promise<PasswordLinkDto> {
  const secret = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + LIFETIME_MS[purpose]);
  await tx.passwordLink.deleteMany({ where: { userId } });
  await tx.passwordLink.create({ data: { userId, purpose, hash: hashOf(secret), expiresAt } });
  return { url: `${getConfig().publicUrl}/set-password#${secret}`, purpose, expiresAt: expiresAt.toISOString() };
}

/** An admin's reset: a link that sets a new password and ends the person's sessions when used. */
export async function createResetLink({ ctx, input }: { ctx: Ctx; input: { userId: string } }): Promise<PasswordLinkDto> {
  requireAdmin(ctx, "reset passwords");
  const user = await getPrisma().user.findUnique({ where: { id: input.userId }, select: { id: true, email: true, disabled: true } });
  if (!user) throw new ApiError({ code: "not_found", message: `no user with id ${input.userId}` });
  if (user.disabled) throw new ApiError({ code: "conflict", message: `${user.email} is disabled: enable them first` });
  return audited(ctx, async (tx) => {
    const link = await issuePasswordLink(tx, user.id, "reset");
    return {
      result: link,
      audit: { action: "user.password_link_created", subjectId: user.id, details: { email: user.email, purpose: "reset", expiresAt: link.expiresAt } },
    };
  });
}

/** Anyone holding a link: sets the password, spends the link, ends every session of the account. */
export async function redeemPasswordLink({ ctx, input }: { ctx: Ctx; input: { secret: string; password: string } }) {
  const prisma = getPrisma();
  const link = await prisma.passwordLink.findUnique({ where: { hash: hashOf(input.secret) }, include: { user: { select: { email: true, disabled: true } } } });
  if (!link || link.expiresAt.getTime() <= Date.now() || link.user.disabled) {
    throw new ApiError({
      code: "not_found",
      field: "secret",
      message: "this link is not valid: it was used, replaced or has expired; ask an admin for a new one",
    });
  }
  const passwordHash = await hashPassword(input.password);
  return audited(ctx, async (tx) => {
    // Spent in the same transaction: a link used twice at once sets one password.
    const { count } = await tx.passwordLink.deleteMany({ where: { id: link.id } });
    if (count === 0) throw new ApiError({ code: "not_found", field: "secret", message: "this link was just used" });
    await tx.user.update({ where: { id: link.userId }, data: { passwordHash } });
    const ended = await tx.authSession.deleteMany({ where: { userId: link.userId } });
    return {
      result: { email: link.user.email },
      audit: { action: "user.password_set", subjectId: link.userId, details: { email: link.user.email, purpose: link.purpose, sessionsEnded: ended.count } },
    };
  });
}
