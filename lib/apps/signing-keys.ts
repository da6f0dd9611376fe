// The key pair that signs what a web tunnel's app is told about the person
// calling (X-Warren-Jwt, ES256): made on first use, its private half sealed
// with WARREN_SECRET_KEY in the database (every Warren sharing the database
// signs alike), its public half published at /.well-known/jwks.json.
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { open, seal } from "@/lib/crypto/secret-box";
import { getPrisma } from "@/lib/db/prisma";

export const SIGNING_ALG = "ES256";
export const PURPOSE = "app signing key";

export type SigningKey = { kid: string; privateKey: CryptoKey };

async function createKey(): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: "sig" };
  const privateJwk = JSON.stringify(await exportJWK(privateKey));
  await getPrisma().signingKey.create({ data: { kid, privateJwk: seal(privateJwk, PURPOSE), publicJwk: JSON.stringify(publicJwk) } });
}

/** The newest key, made if there is none. */
export async function currentSigningKey(): Promise<SigningKey> {
  const prisma = getPrisma();
  let row = await prisma.signingKey.findFirst({ orderBy: { createdAt: "desc" } });
  if (!row) {
    await createKey();
    row = await prisma.signingKey.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
  }
  const privateKey = (await importJWK(JSON.parse(open(row.privateJwk, PURPOSE)) as JWK, SIGNING_ALG)) as CryptoKey;
  return { kid: row.kid, privateKey };
}

/** Every key's public half, as a JSON Web Key Set. */
export async function publicKeySet(): Promise<{ keys: JWK[] }> {
  const rows = await getPrisma().signingKey.findMany({ orderBy: { createdAt: "desc" } });
  return { keys: rows.map((row) => JSON.parse(row.publicJwk) as JWK) };
}
