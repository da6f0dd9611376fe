import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { open, seal } from "@/lib/crypto/secret-box";

const key = randomBytes(32);

describe("secret-box", () => {
  it("round-trips and never repeats a ciphertext", () => {
    const secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n";
    const a = seal(secret, "host.privateKey", key);
    const b = seal(secret, "host.privateKey", key);
    expect(a).not.toBe(b);
    expect(a).not.toContain("OPENSSH");
    expect(open(a, "host.privateKey", key)).toBe(secret);
  });

  it("refuses a wrong key, another purpose, and a flipped bit", () => {
    const sealed = seal("secret", "host.privateKey", key);
    expect(() => open(sealed, "host.privateKey", randomBytes(32))).toThrow();
    expect(() => open(sealed, "host.passphrase", key)).toThrow();
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1]! ^= 1;
    expect(() => open(`v1:${raw.toString("base64")}`, "host.privateKey", key)).toThrow();
  });
});
