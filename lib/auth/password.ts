import argon2 from "argon2";

// argon2id with the library's defaults (64 MiB, 3 passes): OWASP's baseline.
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

// A hash of nothing in particular, verified when the email is unknown so that
// a failed sign-in takes as long whether or not the account exists.
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    decoyHash ??= hashPassword("warren-decoy-password");
    await argon2.verify(await decoyHash, password);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
