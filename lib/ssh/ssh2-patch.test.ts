// patches/ssh2+1.17.0.patch is applied at install (patch-package in
// postinstall): without it every SSH packet costs a crypto job for its padding.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

describe("ssh2 as installed", () => {
  it("is the version the patch was made for", () => {
    expect((require("ssh2/package.json") as { version: string }).version).toBe("1.17.0");
  });

  it("takes every packet's padding from the pooled CSPRNG bytes", () => {
    const source = readFileSync(require.resolve("ssh2/lib/protocol/crypto.js"), "utf8");
    expect(source).toContain("function fillPadding(buf, offset, size)");
    expect(source.match(/fillPadding\(packet, 5 \+ payloadLen, padLen\)/g)).toHaveLength(7);
    expect(source).not.toContain("randomFillSync(packet");
  });
});
