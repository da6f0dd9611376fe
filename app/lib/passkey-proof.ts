// The browser's side of proving a passkey (@simplewebauthn/browser): asks
// Warren for a challenge's options, lets the authenticator sign it, and
// returns the answer to send back with the challenge's id.
import { startAuthentication } from "@simplewebauthn/browser";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { apiFetch } from "@/app/lib/api-fetch";

export type PasskeyAnswer = { challengeId: string; response: Awaited<ReturnType<typeof startAuthentication>> };

/** At sign-in: the challenge Warren named once the password was right. */
export async function answerSignInChallenge(challengeId: string): Promise<PasskeyAnswer> {
  const optionsJSON = await apiFetch<PublicKeyCredentialRequestOptionsJSON>(`/passkey-challenges/${encodeURIComponent(challengeId)}`);
  return { challengeId, response: await startAuthentication({ optionsJSON }) };
}

/** In a signed-in session: a fresh challenge for the person's own passkeys. */
export async function answerSessionChallenge(): Promise<PasskeyAnswer> {
  const { challengeId, options } = await apiFetch<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>("/me/mfa/passkeys/challenge", {
    method: "POST",
  });
  return { challengeId, response: await startAuthentication({ optionsJSON: options }) };
}
