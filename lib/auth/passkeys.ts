// Passkeys (WebAuthn, @simplewebauthn/server) as a second factor beside the
// authenticator app. WebAuthn needs a secure context and a DNS name, so they
// are offered only when WARREN_PUBLIC_URL is https:// or http://localhost;
// the relying party is that URL's host name. Every ceremony uses a challenge
// Warren stored for one person, spent on its first use.
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from "@simplewebauthn/server";
import type { AuthenticationResponseJSON, AuthenticatorTransportFuture, RegistrationResponseJSON } from "@simplewebauthn/server";
import { ApiError } from "@/lib/api/api-error";
import { audited, recordAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { requireUserId } from "@/lib/auth/require-user";
import { markSecondFactorProved } from "@/lib/auth/sessions";
import { actorName, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { WebAuthnPurpose } from "@/lib/generated/prisma/enums";

const CHALLENGE_LIFETIME_MS = 5 * 60_000;

/** The relying party's id (Warren's host name), or null where browsers refuse WebAuthn. */
export function passkeyRpId(): string | null {
  const url = new URL(getConfig().publicUrl);
  return url.protocol === "https:" || url.hostname === "localhost" ? url.hostname : null;
}

function rpIdOrRefuse(): string {
  const rpId = passkeyRpId();
  if (!rpId) throw new ApiError({ code: "conflict", message: "passkeys need Warren at an https:// address (WARREN_PUBLIC_URL)" });
  return rpId;
}

const transportsOf = (stored: string) => JSON.parse(stored) as AuthenticatorTransportFuture[];

/** The person's passkeys, as a ceremony lists credentials: those a challenge accepts, or a new one must not repeat. */
async function allowedCredentials(userId: string) {
  const passkeys = await getPrisma().passkey.findMany({ where: { userId }, select: { credentialId: true, transports: true } });
  return passkeys.map((key) => ({ id: key.credentialId, transports: transportsOf(key.transports) }));
}

async function storeChallenge(userId: string, purpose: WebAuthnPurpose, challenge: string): Promise<string> {
  const prisma = getPrisma();
  await prisma.webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  const row = await prisma.webAuthnChallenge.create({ data: { userId, purpose, challenge, expiresAt: new Date(Date.now() + CHALLENGE_LIFETIME_MS) } });
  return row.id;
}

/** The challenge, if it is this person's, for this purpose, unexpired and unused; it is spent either way. */
async function spendChallenge(id: string, userId: string, purpose: WebAuthnPurpose): Promise<string | null> {
  const prisma = getPrisma();
  const row = await prisma.webAuthnChallenge.findFirst({ where: { id, userId, purpose, expiresAt: { gt: new Date() } } });
  if (!row) return null;
  const { count } = await prisma.webAuthnChallenge.deleteMany({ where: { id } });
  return count === 1 ? row.challenge : null;
}

const signedInUser = (ctx: Ctx) => requireUserId(ctx, "manages their passkeys");

/** What the browser needs to create a passkey for the signed-in person. */
export async function passkeyRegistrationOptions({ ctx }: { ctx: Ctx }) {
  const userId = signedInUser(ctx);
  const rpID = rpIdOrRefuse();
  const user = await getPrisma().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, oidcIssuer: true } });
  if (user.oidcIssuer)
    throw new ApiError({ code: "conflict", message: "you sign in through single sign-on: your identity provider asks for your second factor" });
  const options = await generateRegistrationOptions({
    rpName: "Warren",
    rpID,
    userName: user.email,
    userID: new TextEncoder().encode(userId),
    attestationType: "none",
    excludeCredentials: await allowedCredentials(userId),
    authenticatorSelection: { residentKey: "discouraged", userVerification: "preferred" },
  });
  return { challengeId: await storeChallenge(userId, "register", options.challenge), options };
}

/** Verifies the browser's new passkey against its challenge and keeps its public key. */
export async function addPasskey({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { challengeId: string; response: RegistrationResponseJSON; name: string; sessionId: string | null };
}) {
  const userId = signedInUser(ctx);
  const rpID = rpIdOrRefuse();
  const challenge = await spendChallenge(input.challengeId, userId, "register");
  if (!challenge) throw new ApiError({ code: "unprocessable_entity", field: "challengeId", message: "has expired or was used: start again" });
  const verification = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challenge,
    expectedOrigin: getConfig().publicUrl,
    expectedRPID: rpID,
    requireUserVerification: false,
  }).catch((error: Error) => {
    throw new ApiError({ code: "unprocessable_entity", field: "response", message: `is not a passkey Warren can use: ${error.message}` });
  });
  if (!verification.verified) throw new ApiError({ code: "unprocessable_entity", field: "response", message: "did not verify" });
  const { credential } = verification.registrationInfo;
  return audited(ctx, async (tx) => {
    const created = await tx.passkey.create({
      data: {
        userId,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString("base64url"),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        name: input.name,
      },
      select: { id: true, name: true, createdAt: true, lastUsedAt: true },
    });
    await markSecondFactorProved(input.sessionId, userId, tx);
    return { result: created, audit: { action: "mfa.enrolled", subjectId: userId, details: { email: actorName(ctx), method: "passkey", name: created.name } } };
  });
}

/** A challenge for proving one of this person's passkeys, or null if they have none. */
export async function passkeyChallenge(userId: string) {
  const rpID = passkeyRpId();
  const allowCredentials = await allowedCredentials(userId);
  if (!rpID || allowCredentials.length === 0) return null;
  const options = await generateAuthenticationOptions({ rpID, allowCredentials, userVerification: "preferred" });
  return { challengeId: await storeChallenge(userId, "authenticate", options.challenge), options };
}

/** The options of a sign-in challenge: its id is the secret, handed out only once the password was right. */
export async function passkeyChallengeOptions(challengeId: string) {
  const row = await getPrisma().webAuthnChallenge.findFirst({ where: { id: challengeId, purpose: "authenticate", expiresAt: { gt: new Date() } } });
  if (!row) throw new ApiError({ code: "not_found", message: "this sign-in has expired: start again" });
  const credentials = await allowedCredentials(row.userId);
  return {
    challenge: row.challenge,
    rpId: passkeyRpId() ?? undefined,
    allowCredentials: credentials.map((credential) => ({ ...credential, type: "public-key" as const })),
    userVerification: "preferred" as const,
    timeout: CHALLENGE_LIFETIME_MS,
  };
}

/** Whether the browser's answer proves one of the person's passkeys for that challenge (spent either way). */
export async function spendPasskey(userId: string, challengeId: string, response: AuthenticationResponseJSON): Promise<boolean> {
  const rpID = passkeyRpId();
  const challenge = rpID ? await spendChallenge(challengeId, userId, "authenticate") : null;
  const passkey = await getPrisma().passkey.findFirst({ where: { userId, credentialId: response.id } });
  if (!rpID || !challenge || !passkey) return false;
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: getConfig().publicUrl,
    expectedRPID: rpID,
    credential: {
      id: passkey.credentialId,
      publicKey: Buffer.from(passkey.publicKey, "base64url"),
      counter: passkey.counter,
      transports: transportsOf(passkey.transports),
    },
    requireUserVerification: false,
  }).catch(() => null);
  if (!verification?.verified) return false;
  await getPrisma().passkey.update({ where: { id: passkey.id }, data: { counter: verification.authenticationInfo.newCounter, lastUsedAt: new Date() } });
  return true;
}

export async function listPasskeys({ ctx }: { ctx: Ctx }) {
  return getPrisma().passkey.findMany({
    where: { userId: signedInUser(ctx) },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
    orderBy: { createdAt: "asc" },
  });
}

export async function removePasskey({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const userId = signedInUser(ctx);
  const passkey = await getPrisma().passkey.findFirst({ where: { id: input.id, userId } });
  if (!passkey) throw new ApiError({ code: "not_found", message: `no passkey ${input.id}` });
  await recordAudit(ctx, { action: "mfa.removed", subjectId: userId, details: { email: actorName(ctx), method: "passkey", name: passkey.name } }, (tx) =>
    tx.passkey.delete({ where: { id: passkey.id } }),
  );
  return { removed: true };
}
