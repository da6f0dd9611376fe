import { describe, expect, it } from "vitest";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";

const row = {
  kind: "local" as const,
  listenAddress: "127.0.0.1",
  listenPort: 20001,
  targetHost: "db.internal",
  targetClient: false,
  targetPort: 5432,
  allowedSources: '["10.1.2.3/32","::1"]',
};

describe("tunnelSpec", () => {
  it("turns a stored tunnel into what was asked for, its allowed sources parsed", () => {
    expect(tunnelSpec(row)).toEqual({
      kind: "local",
      listen: { address: "127.0.0.1", port: 20001 },
      target: { host: "db.internal", port: 5432 },
      allowedSources: ["10.1.2.3/32", "::1"],
    });
  });

  it("gives a dynamic tunnel no target, and an empty list (anyone) as stored", () => {
    expect(tunnelSpec({ ...row, kind: "dynamic", targetHost: null, targetPort: null, allowedSources: "[]" })).toEqual({
      kind: "dynamic",
      listen: { address: "127.0.0.1", port: 20001 },
      target: null,
      allowedSources: [],
    });
  });
});
