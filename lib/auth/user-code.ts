// The code a person types on /device to approve a device's sign-in: eight
// consonants shown as BCDF-GHJK. No vowels, so no words; no digits, so no 0/O
// or 1/I to confuse; case and dashes do not matter when typed (RFC 8628,
// section 6.1). 20^8 codes, about 34 bits: with guesses limited per source
// and per person, and codes living ten minutes, guessing one is hopeless.
import { groupCode, randomCode } from "@/lib/crypto/random-code";

export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const LENGTH = 8;

/** A new code, as stored: eight letters, no dash. */
export function newUserCode(): string {
  return randomCode(USER_CODE_ALPHABET, LENGTH);
}

/** How people see it: BCDF-GHJK. */
export function formatUserCode(code: string): string {
  return groupCode(code, LENGTH / 2);
}

/** What was typed, as stored (upper case, without spaces or dashes), or null when it cannot be a code. */
export function normalizeUserCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== LENGTH) return null;
  for (const letter of code) if (!USER_CODE_ALPHABET.includes(letter)) return null;
  return code;
}
