// patches/ssh2+1.17.0.patch is applied at install (patch-package in
// postinstall): without it every SSH packet costs a crypto job for its padding,
// and reused read slabs (slab-reads.ts) would overwrite what ssh2 keeps.
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

  it("copies every payload but channel data, and channel data for a push that does not take views", () => {
    const protocol = readFileSync(require.resolve("ssh2/lib/protocol/Protocol.js"), "utf8");
    expect(protocol).toContain("if (type !== MESSAGE.CHANNEL_DATA)\n    payload = Buffer.from(payload);");
    const client = readFileSync(require.resolve("ssh2/lib/client.js"), "utf8");
    expect(client).toContain("if (!channel._pushTakesViews)\n            data = Buffer.from(data);");
  });
});
