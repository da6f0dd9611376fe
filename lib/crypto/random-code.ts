// Codes people read and type (a device's user code, the setup code, recovery
// codes): characters drawn uniformly with the system's CSPRNG, shown in
// dash-separated groups.
import { randomInt } from "node:crypto";

/** Upper-case letters and digits without 0/O and 1/I: 32 characters, 5 bits each. */
export const READABLE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export function randomCode(alphabet: string, length: number): string {
  let code = "";
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** ABCDE-FGHIJ: groups of `size`. */
export function groupCode(code: string, size: number): string {
  return (code.match(new RegExp(`.{1,${size}}`, "g")) ?? []).join("-");
}
