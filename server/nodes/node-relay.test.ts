import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readRelayHeader, relayHeader } from "@/server/nodes/node-relay";

const key = randomBytes(32);

describe("a relay header", () => {
  it("names the client to a node with the same key, while it is fresh", () => {
    const header = relayHeader(key, "bastion-b", "203.0.113.9", 1_000);
    expect(readRelayHeader(key, header, 1_000)).toEqual({ from: "bastion-b", ip: "203.0.113.9" });
    expect(readRelayHeader(key, header, 1_000 + 31_000)).toBeUndefined();
  });

  it("is believed from no one without the key, nor once changed", () => {
    const header = relayHeader(key, "bastion-b", "203.0.113.9");
    expect(readRelayHeader(randomBytes(32), header)).toBeUndefined();
    const [payload, mac] = header.split(".");
    const forged = Buffer.from(JSON.stringify({ from: "bastion-b", ip: "10.0.0.1", until: Date.now() + 10_000 })).toString("base64url");
    expect(readRelayHeader(key, `${forged}.${mac}`)).toBeUndefined();
    expect(readRelayHeader(key, `${payload}.${mac}.extra`)).toBeUndefined();
    expect(readRelayHeader(key, `${payload}`)).toBeUndefined();
    expect(readRelayHeader(key, "not base64.at all")).toBeUndefined();
  });
});
