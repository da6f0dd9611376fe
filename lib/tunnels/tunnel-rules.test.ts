import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { checkTunnelRules, isMetadataAddress, sourceAllowed } from "@/lib/tunnels/tunnel-rules";
import { createTunnelSchema } from "@/lib/validation/tunnels";

const config = { listenAddresses: ["127.0.0.1"], listenPorts: { min: 20000, max: 29999 } };
const tunnel = (input: object) => createTunnelSchema.parse({ hostId: "h1", ...input });

function refusal(input: object): ApiError {
  try {
    checkTunnelRules(tunnel(input), config);
  } catch (error) {
    if (error instanceof ApiError) return error;
  }
  throw new Error("expected a refusal");
}

describe("tunnel rules", () => {
  it("accepts a local tunnel inside the listen range", () => {
    expect(() => checkTunnelRules(tunnel({ kind: "local", listen: { port: 20001 }, target: { host: "db.internal", port: 5432 } }), config)).not.toThrow();
  });

  it("keeps Warren-side listeners on the configured addresses and ports", () => {
    expect(refusal({ kind: "local", listen: { address: "0.0.0.0", port: 20001 }, target: { host: "db", port: 1 } })).toMatchObject({
      field: "listen.address",
    });
    expect(refusal({ kind: "dynamic", listen: { port: 8080 } })).toMatchObject({
      field: "listen.port",
      message: "must be between 20000 and 29999 on the bastion",
    });
  });

  it("lets remote tunnels listen on the SSH host's side, outside the bastion's range", () => {
    expect(() =>
      checkTunnelRules(tunnel({ kind: "remote", listen: { address: "0.0.0.0", port: 8080 }, target: { host: "localhost", port: 80 } }), config),
    ).not.toThrow();
  });

  it.each([
    "169.254.169.254",
    "169.254.0.1",
    "fd00:ec2::254",
    "metadata.google.internal",
    "::ffff:169.254.169.254",
    "0xa9fea9fe",
    "0XA9FEA9FE",
    "2852039166",
    "0251.0376.0251.0376",
    "0xa9.0xfe.0xa9.0xfe",
    "169.254.43518",
    "169.16689662",
    "::a9fe:a9fe",
    "::169.254.169.254",
    "64:ff9b::169.254.169.254",
  ])("refuses metadata target %s", (host) => {
    expect(isMetadataAddress(host)).toBe(true);
    expect(refusal({ kind: "local", listen: { port: 20001 }, target: { host, port: 80 } })).toMatchObject({ field: "target.host" });
  });

  it("matches sources against CIDRs, IPv4-mapped addresses included", () => {
    expect(sourceAllowed("10.1.2.3", [])).toBe(true);
    expect(sourceAllowed("10.1.2.3", ["10.1.2.0/24"])).toBe(true);
    expect(sourceAllowed("::ffff:10.1.2.3", ["10.1.2.3"])).toBe(true);
    expect(sourceAllowed("10.1.3.3", ["10.1.2.0/24"])).toBe(false);
    expect(sourceAllowed("fd00::1", ["10.0.0.0/8"])).toBe(false);
    expect(sourceAllowed(undefined, ["10.0.0.0/8"])).toBe(false);
  });
});

describe("createTunnelSchema", () => {
  it.each([
    [{ kind: "local", listen: { port: 20001 } }, "target", "is required for a local tunnel"],
    [{ kind: "dynamic", listen: { port: 20001 }, target: { host: "x", port: 1 } }, "target", "must be left out"],
    [{ kind: "tcp", listen: { port: 20001 } }, "kind", "must be local, remote or dynamic"],
    [{ kind: "local", listen: { port: 70000 }, target: { host: "x", port: 1 } }, "listen.port", "between 1 and 65535"],
    [{ kind: "local", listen: { port: 20001 }, target: { host: "bad host", port: 1 } }, "target.host", "host name or an IP address"],
    [{ kind: "dynamic", listen: { port: 20001 }, allowedSources: ["10.0.0.0/33"] }, "allowedSources.0", "CIDR"],
    [{ kind: "dynamic", listen: { port: 20001 }, ttlMinutes: 0 }, "ttlMinutes", "at least 1 minute"],
  ])("refuses %o on %s", (input, field, reason) => {
    const issue = createTunnelSchema.safeParse({ hostId: "h1", ...input }).error?.issues[0];
    expect(issue?.path.join(".")).toBe(field);
    expect(issue?.message).toContain(reason);
  });
});
