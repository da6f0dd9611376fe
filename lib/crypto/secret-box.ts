// AES-256-GCM for secrets at rest (SSH private keys, passphrases), keyed by
// WARREN_SECRET_KEY. Format: "v1:" + base64(iv[12] | tag[16] | ciphertext).
// `purpose` is bound in as associated data, so a ciphertext cannot be moved
// from one column to another.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { getConfig } from "@/lib/config";

const VERSION = "v1:";

export function seal(plaintext: string, purpose: string, key: Buffer = getConfig().secretKey): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64");
}

export function open(sealed: string, purpose: string, key: Buffer = getConfig().secretKey): string {
  if (!sealed.startsWith(VERSION)) throw new Error("secret-box: unknown format");
  const raw = Buffer.from(sealed.slice(VERSION.length), "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}
