import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import { InvalidInput } from "@/lib/invalid-input";

/** OpenSSH's fingerprint of a raw public key blob: "SHA256:" + unpadded base64. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Reads an uploaded private key; answers the authorized_keys line for it. */
export function readPrivateKey(privateKey: string, passphrase?: string): { publicKey: string } {
  const parsed = ssh2.utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase|decrypt/i.test(parsed.message);
    if (encrypted) throw new InvalidInput("passphrase", passphrase ? "does not decrypt the private key" : "is required: the private key is encrypted");
    throw new InvalidInput("privateKey", `could not be read as an SSH private key (${parsed.message})`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) {
    throw new InvalidInput("privateKey", "is a public key; Warren needs the private half");
  }
  return { publicKey: `${key.type} ${key.getPublicSSH().toString("base64")}` };
}

/** A fresh ed25519 pair; the public half goes into the host's authorized_keys. */
export function generateKeyPair(comment: string): { privateKey: string; publicKey: string } {
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}
