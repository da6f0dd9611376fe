// The second factor of a password sign-in: a TOTP authenticator app
// (otplib), with ten one-time recovery codes made at enrolment, or passkeys
// (lib/auth/passkeys.ts). It is asked for at sign-in, and again in the
// browser before approving a request or a device or changing a host when the
// session last proved it over 15 minutes ago. A code's 30-second step is
// remembered, so each code works once.
import { createHash } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import { ApiError } from "@/lib/api/api-error";
import type { Authenticated } from "@/lib/auth/authenticate";
import { passkeyChallenge, passkeyRpId, spendPasskey } from "@/lib/auth/passkeys";
import { requireUserId } from "@/lib/auth/require-user";
import { markSecondFactorProved } from "@/lib/auth/sessions";
import { SECOND_FACTOR_INVALID, SECOND_FACTOR_REQUIRED } from "@/lib/auth/sign-in-errors";
import { audited, recordAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { actorId, actorName, type Ctx } from "@/lib/context";
import { groupCode, READABLE_ALPHABET, randomCode } from "@/lib/crypto/random-code";
import { open, seal } from "@/lib/crypto/secret-box";
import { getPrisma } from "@/lib/db/prisma";
import type { PasskeyProof } from "@/lib/validation/users";
import { hasSecondFactor, secondFactorRequired, secondFactorSelect } from "@/lib/auth/second-factor-required";

export const SEALED_AS = "totp-secret";
export const RECHECK_AFTER_MS = 15 * 60_000;
const RECOVERY_CODES = 10;

/** Recovery codes are compared without case, spaces or dashes, as people copy them. */
const hashCode = (code: string) => createHash("sha256").update(code.toUpperCase().replace(/[\s-]/g, "")).digest("hex");

/** Ten letters and digits (50 random bits) in two groups of five, easy to copy from paper. */
const recoveryCode = () => groupCode(randomCode(READABLE_ALPHABET, 10), 5);

const signedInUser = (ctx: Ctx) => requireUserId(ctx, "manages their second factor");

/** `sso`: the person signs in through the identity provider, which keeps their second factor.
 *  `passkeysOffered`: Warren's address lets browsers use passkeys. */
export type SecondFactorState = {
  enrolled: boolean;
  totp: boolean;
  passkeys: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[];
  passkeysOffered: boolean;
  required: boolean;
  recoveryCodesLeft: number;
  sso: boolean;
};

export async function secondFactorState(userId: string): Promise<SecondFactorState> {
  const user = await getPrisma().user.findUniqueOrThrow({
    where: { id: userId },
    select: {
      role: true,
      oidcIssuer: true,
      totpSecretEnc: true,
      passkeys: { select: { id: true, name: true, createdAt: true, lastUsedAt: true }, orderBy: { createdAt: "asc" } },
      _count: { select: { recoveryCodes: { where: { usedAt: null } }, passkeys: true } },
    },
  });
  return {
    enrolled: hasSecondFactor(user),
    totp: user.totpSecretEnc !== null,
    passkeys: user.passkeys.map((key) => ({ ...key, createdAt: key.createdAt.toISOString(), lastUsedAt: key.lastUsedAt?.toISOString() ?? null })),
    passkeysOffered: passkeyRpId() !== null,
    required: secondFactorRequired(user),
    recoveryCodesLeft: user._count.recoveryCodes,
    sso: user.oidcIssuer !== null,
  };
}

/** A new secret to scan, kept pending until its first code confirms it. */
export async function startTotpEnrolment({ ctx }: { ctx: Ctx }) {
  const userId = signedInUser(ctx);
  const user = await getPrisma().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpSecretEnc: true, oidcIssuer: true } });
  if (user.totpSecretEnc) throw new ApiError({ code: "conflict", message: "you already have an authenticator app: remove it first to set up another" });
  if (user.oidcIssuer)
    throw new ApiError({ code: "conflict", message: "you sign in through single sign-on: your identity provider asks for your second factor" });
  const secret = generateSecret();
  await getPrisma().user.update({ where: { id: userId }, data: { totpPendingEnc: seal(secret, SEALED_AS) } });
  const uri = generateURI({ issuer: `Warren (${new URL(getConfig().publicUrl).host})`, label: user.email, secret });
  return { secret, uri, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 192 }) };
}

/** The TOTP step a code is valid for, past the last one used, or null. */
async function totpStep(secretEnc: string, lastStep: number | null, code: string): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  // One step either side: a phone's clock a little off still works.
  const result = await verify({ secret: open(secretEnc, SEALED_AS), token: code, epochTolerance: 30, afterTimeStep: lastStep ?? undefined });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/** The pending secret's first code turns it on; the answer holds the recovery codes, shown this once. */
export async function confirmTotpEnrolment({ ctx, input }: { ctx: Ctx; input: { code: string; sessionId: string | null } }) {
  const userId = signedInUser(ctx);
  const user = await getPrisma().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpPendingEnc: true, totpSecretEnc: true } });
  if (user.totpSecretEnc) throw new ApiError({ code: "conflict", message: "you already have an authenticator app" });
  if (!user.totpPendingEnc) throw new ApiError({ code: "conflict", message: "start again: scan a new QR code first" });
  const step = await totpStep(user.totpPendingEnc, null, input.code);
  if (step === null)
    throw new ApiError({ code: "unprocessable_entity", field: "code", message: "is not the code your app shows now: check its clock, and try the next one" });
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  await audited(ctx, async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { totpSecretEnc: user.totpPendingEnc, totpPendingEnc: null, totpLastStep: step } });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.recoveryCode.createMany({ data: codes.map((code) => ({ userId, hash: hashCode(code) })) });
    await markSecondFactorProved(input.sessionId, userId, tx);
    return { result: null, audit: { action: "mfa.enrolled", subjectId: userId, details: { email: user.email, method: "totp" } } };
  });
  return { recoveryCodes: codes };
}

/** Whether `code` is the user's current TOTP code or an unused recovery code; either is then spent. */
export async function spendSecondFactor(userId: string, code: string): Promise<"totp" | "recovery" | null> {
  const prisma = getPrisma();
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { totpSecretEnc: true, totpLastStep: true } });
  if (!user.totpSecretEnc) return null;
  const step = await totpStep(user.totpSecretEnc, user.totpLastStep, code);
  if (step !== null) {
    // Compare-and-set: the same code sent twice at once is taken once.
    const { count } = await prisma.user.updateMany({ where: { id: userId, totpLastStep: user.totpLastStep }, data: { totpLastStep: step } });
    return count === 1 ? "totp" : null;
  }
  const { count } = await prisma.recoveryCode.updateMany({ where: { userId, hash: hashCode(code), usedAt: null }, data: { usedAt: new Date() } });
  return count === 1 ? "recovery" : null;
}

export type SecondFactorUsed = "totp" | "recovery" | "passkey";

/** Audits a recovery code's use (with how many are left) or a failed proof. */
export async function recordSecondFactor(ctx: Ctx, user: { id: string; email: string }, used: SecondFactorUsed | null, purpose: string) {
  if (used === "totp" || used === "passkey") return;
  if (used === "recovery") {
    const left = await getPrisma().recoveryCode.count({ where: { userId: user.id, usedAt: null } });
    await recordAudit(ctx, { action: "auth.recovery_code_used", subjectId: user.id, details: { email: user.email, left, purpose } });
    return;
  }
  await recordAudit(ctx, { action: "auth.second_factor_failed", subjectId: user.id, details: { email: user.email, purpose } });
}

/** A code, or a passkey's answer to a challenge Warren issued to this person. */
export type SecondFactorProof = { code: string } | { passkey: PasskeyProof };

async function spendProof(userId: string, proof: SecondFactorProof): Promise<SecondFactorUsed | null> {
  if ("code" in proof) return spendSecondFactor(userId, proof.code);
  const { challengeId, response } = proof.passkey;
  return (await spendPasskey(userId, challengeId, response as never)) ? "passkey" : null;
}

/** At password sign-in, once the password is right: null for an account without a second factor; else the
 *  proof used. Without one it throws what the form must ask for, with a passkey challenge's id if it has passkeys. */
export async function proveAtSignIn(
  ctx: Ctx,
  user: { id: string; email: string; totpSecretEnc: string | null; _count: { passkeys: number } },
  proof: Partial<SecondFactorProof & { code: string; passkey: PasskeyProof }>,
) {
  if (!hasSecondFactor(user)) return null;
  if (!proof.code && !proof.passkey) {
    const challenge = await passkeyChallenge(user.id);
    throw new Error(challenge ? `${SECOND_FACTOR_REQUIRED}:${challenge.challengeId}:${user.totpSecretEnc ? "code" : "passkey"}` : SECOND_FACTOR_REQUIRED);
  }
  const used = await spendProof(user.id, proof.passkey ? { passkey: proof.passkey } : { code: proof.code! });
  await recordSecondFactor(ctx, user, used, "sign-in");
  if (!used) throw new Error(SECOND_FACTOR_INVALID);
  return used;
}

/** A browser session proves the second factor again (before an approval or a host change). */
export async function recheckSecondFactor({ ctx, input }: { ctx: Ctx; input: { proof: SecondFactorProof; sessionId: string | null } }) {
  const userId = signedInUser(ctx);
  const used = await spendProof(userId, input.proof);
  await recordSecondFactor(ctx, { id: userId, email: actorName(ctx) }, used, "re-check");
  if (!used) {
    const field = "code" in input.proof ? "code" : "passkey";
    throw new ApiError({
      code: "unprocessable_entity",
      field,
      message: field === "code" ? "is not your current code or an unused recovery code" : "did not verify",
    });
  }
  await markSecondFactorProved(input.sessionId, userId);
  return { checked: true, method: used };
}

/** The person turns their authenticator app off with a current code; an admin removes every second factor
 *  of someone who lost theirs (app and passkeys). */
export async function removeSecondFactor({ ctx, input }: { ctx: Ctx; input: { userId: string; code?: string } }) {
  const own = actorId(ctx) === input.userId;
  if (!own && !(ctx.actor.type === "system" || ctx.actor.role === "admin")) {
    throw new ApiError({ code: "forbidden", message: "only admins remove someone else's second factor" });
  }
  const user = await getPrisma().user.findUnique({
    where: { id: input.userId },
    select: { id: true, email: true, ...secondFactorSelect },
  });
  if (!user) throw new ApiError({ code: "not_found", message: `no user with id ${input.userId}` });
  if (own && !user.totpSecretEnc) throw new ApiError({ code: "conflict", message: "you have no authenticator app" });
  if (!hasSecondFactor(user)) throw new ApiError({ code: "conflict", message: `${user.email} has no second factor` });
  if (own) {
    const used = input.code ? await spendSecondFactor(user.id, input.code) : null;
    await recordSecondFactor(ctx, user, used, "removal");
    if (!used) throw new ApiError({ code: "unprocessable_entity", field: "code", message: "is not your current code or an unused recovery code" });
  }
  await audited(ctx, async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { totpSecretEnc: null, totpPendingEnc: null, totpLastStep: null } });
    await tx.recoveryCode.deleteMany({ where: { userId: user.id } });
    const passkeys = own ? { count: 0 } : await tx.passkey.deleteMany({ where: { userId: user.id } });
    const details = { email: user.email, method: own ? "totp" : "all", passkeysRemoved: passkeys.count, byAdmin: !own };
    return { result: null, audit: { action: "mfa.removed", subjectId: user.id, details } };
  });
  return { removed: true };
}

/** Called first by the routes a browser re-checks the second factor for (approving a request or a device, changing a
 *  host): a session whose last proof is too old is asked for it again. Read from the session authenticate() loaded. */
export function reconfirmed(via: Authenticated) {
  if (via.via !== "session" || !via.secondFactor.enrolled) return;
  const { provedAt } = via.secondFactor;
  if (provedAt && Date.now() - provedAt.getTime() < RECHECK_AFTER_MS) return;
  throw new ApiError({ code: "second_factor_required", message: "confirm it is you: enter the code from your authenticator app" });
}
