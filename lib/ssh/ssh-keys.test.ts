import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { toApiError } from "@/lib/api/handle-api-error";
import { generateKeyPair, readPrivateKey } from "@/lib/ssh/ssh-keys";

/** What readPrivateKey throws: a domain error of its own (lib/ssh knows nothing of the API), and the answer the edge makes of it. */
function refusal(privateKey: string, passphrase?: string) {
  try {
    readPrivateKey(privateKey, passphrase);
  } catch (error) {
    expect(error).not.toBeInstanceOf(ApiError);
    return toApiError(error).toBody().error;
  }
  throw new Error("expected readPrivateKey to refuse the key");
}

describe("readPrivateKey", () => {
  const encrypted = ssh2.utils.generateKeyPairSync("ed25519", { passphrase: "pw", cipher: "aes256-ctr", rounds: 16 }).private;

  it("answers the public half of a readable key", () => {
    const pair = generateKeyPair("warren@test");
    expect(pair.publicKey.startsWith(readPrivateKey(pair.privateKey).publicKey)).toBe(true);
    expect(readPrivateKey(encrypted, "pw").publicKey).toMatch(/^ssh-ed25519 AAAA/);
  });

  it("refuses what is not a key, naming privateKey", () => {
    const answer = refusal("-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n-----END OPENSSH PRIVATE KEY-----");
    expect(answer).toMatchObject({ code: "unprocessable_entity", field: "privateKey" });
    expect(answer.message).toMatch(/^could not be read as an SSH private key/);
  });

  it("refuses a public key, naming privateKey", () => {
    expect(refusal(generateKeyPair("x").publicKey)).toEqual({
      code: "unprocessable_entity",
      field: "privateKey",
      message: "is a public key; Warren needs the private half",
    });
  });

  it("names the passphrase when an encrypted key comes without one or with a wrong one", () => {
    expect(refusal(encrypted)).toEqual({ code: "unprocessable_entity", field: "passphrase", message: "is required: the private key is encrypted" });
    expect(refusal(encrypted, "wrong")).toEqual({ code: "unprocessable_entity", field: "passphrase", message: "does not decrypt the private key" });
  });
});
