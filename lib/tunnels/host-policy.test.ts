import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { applyHostPolicy, destinationRefusal, policyRefusal, storedSourcesRefusal } from "@/lib/tunnels/host-policy";
import type { HostPolicy } from "@/lib/validation/host-policy";
import { hostPolicySchema } from "@/lib/validation/host-policy";
import { createTunnelSchema } from "@/lib/validation/tunnels";

const open: HostPolicy = {
  kinds: ["local", "remote", "dynamic"],
  targets: [],
  ports: [],
  publicBinds: false,
  anySource: false,
  approval: false,
  defaultTtlMinutes: 60,
  maxTtlMinutes: 1440,
  maxOpenPerUser: 10,
  maxPendingPerUser: 5,
};
const user = { ip: "10.1.2.3", isAdmin: false };
const request = (input: object) =>
  createTunnelSchema.parse({ hostId: "h", kind: "local", listen: { port: 20001 }, target: { host: "db.internal", port: 5432 }, ...input });

function refusal(policy: HostPolicy, input: object, requester = user): ApiError {
  try {
    applyHostPolicy(request(input), policy, "db-1", requester);
  } catch (error) {
    if (error instanceof ApiError) return error;
  }
  throw new Error("expected a refusal");
}

describe("host policy", () => {
  it("refuses kinds, public binds, targets, ports and TTLs it does not allow, naming the field", () => {
    expect(refusal({ ...open, kinds: ["local"] }, { kind: "dynamic", target: undefined })).toMatchObject({
      code: "forbidden",
      field: "kind",
      message: "db-1 does not allow dynamic tunnels",
    });
    expect(refusal(open, { kind: "remote", listen: { address: "0.0.0.0", port: 8080 } })).toMatchObject({ field: "listen.address" });
    expect(refusal({ ...open, targets: ["10.0.0.0/8", "*.internal"] }, { target: { host: "db.example.com", port: 5432 } })).toMatchObject({
      field: "target.host",
      message: "db-1 allows tunnels only to 10.0.0.0/8, *.internal",
    });
    expect(refusal({ ...open, ports: ["5432", "8000-8999"] }, { target: { host: "db.internal", port: 22 } })).toMatchObject({ field: "target.port" });
    expect(refusal({ ...open, maxTtlMinutes: 30 }, { ttlMinutes: 60 })).toMatchObject({ code: "unprocessable_entity", field: "ttlMinutes" });
  });

  it("matches targets by CIDR, exact name and suffix", () => {
    const policy = { ...open, targets: ["10.0.0.0/8", "db.example.com", "*.internal"], ports: ["8000-8999"] };
    expect(destinationRefusal(policy, "db-1", { host: "10.9.8.7", port: 8080 })).toBeNull();
    expect(destinationRefusal(policy, "db-1", { host: "DB.example.com", port: 8999 })).toBeNull();
    expect(destinationRefusal(policy, "db-1", { host: "pg.internal", port: 8000 })).toBeNull();
    expect(destinationRefusal(policy, "db-1", { host: "internal", port: 8000 })?.field).toBe("target.host");
    expect(destinationRefusal(policy, "db-1", { host: "11.0.0.1", port: 8000 })?.field).toBe("target.host");
    expect(destinationRefusal(policy, "db-1", { host: "10.0.0.1", port: 9000 })?.field).toBe("target.port");
  });

  it("gives a listener on the bastion's loopback the same default and rules as any other", () => {
    expect(applyHostPolicy(request({}), open, "db-1", user)).toEqual(["10.1.2.3"]);
    expect(applyHostPolicy(request({ kind: "dynamic", target: undefined, listen: { address: "::1", port: 20001 } }), open, "db-1", user)).toEqual(["10.1.2.3"]);
    expect(refusal(open, { allowedSources: [] }, user)).toMatchObject({ field: "allowedSources" });
    expect(refusal(open, { allowedSources: ["10.1.2.0/24"] }, user)).toMatchObject({ field: "allowedSources" });
    expect(refusal(open, { allowedSources: ["0.0.0.0/0"] }, user)).toMatchObject({ field: "allowedSources" });
    // Programs on the bastion, asked for by name: its loopback addresses.
    for (const allowedSources of [["127.0.0.1/32"], ["127.0.0.0/8", "::1"]]) {
      expect(applyHostPolicy(request({ allowedSources }), open, "db-1", user)).toEqual(allowedSources);
    }
  });

  it("keeps a remote tunnel's loopback sources as given: only programs on the SSH host reach them", () => {
    expect(applyHostPolicy(request({ kind: "remote", listen: { address: "127.0.0.1", port: 8080 } }), open, "db-1", user)).toEqual([]);
  });

  it.each([
    "169.254.169.254",
    "0xa9fea9fe",
    "2852039166",
    "0251.0376.0251.0376",
    "169.254.43518",
    "169.254.169.254.",
    "::ffff:169.254.169.254",
    "::a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "METADATA.google.internal.",
  ])("refuses the metadata destination %s, whatever the policy allows", (host) => {
    expect(destinationRefusal(open, "db-1", { host, port: 80 })).toEqual({
      field: "target.host",
      message: `${host} is a cloud metadata address; Warren does not forward to it`,
    });
  });

  it("defaults other listeners to the requester's own address; wider needs the policy or an admin", () => {
    const publicPolicy = { ...open, publicBinds: true };
    const wide = { kind: "remote", listen: { address: "0.0.0.0", port: 8080 } };
    expect(applyHostPolicy(request(wide), publicPolicy, "db-1", user)).toEqual(["10.1.2.3"]);
    expect(applyHostPolicy(request({ ...wide, allowedSources: ["10.1.2.3/32"] }), publicPolicy, "db-1", user)).toEqual(["10.1.2.3/32"]);
    for (const allowedSources of [["10.1.2.0/24"], []]) {
      expect(refusal(publicPolicy, { ...wide, allowedSources }, user)).toMatchObject({ field: "allowedSources" });
      expect(applyHostPolicy(request({ ...wide, allowedSources }), { ...publicPolicy, anySource: true }, "db-1", user)).toEqual(allowedSources);
      expect(applyHostPolicy(request({ ...wide, allowedSources }), publicPolicy, "db-1", { ...user, isAdmin: true })).toEqual(allowedSources);
    }
  });

  it("lets a granted tunnel keep single addresses its teammates joined from, but not ranges, once the policy narrows", () => {
    const granted = (allowedSources: string[]) => ({ ...request({ kind: "remote", listen: { address: "0.0.0.0", port: 8080 } }), allowedSources });
    const publicPolicy = { ...open, publicBinds: true };
    expect(storedSourcesRefusal(granted(["10.1.2.3/32", "10.1.2.4"]), publicPolicy, "db-1", false)).toBeNull();
    expect(storedSourcesRefusal(granted(["10.1.2.3/32", "10.1.0.0/16"]), publicPolicy, "db-1", false)).toEqual({
      field: "allowedSources",
      message: "db-1 lets in single addresses only, not 10.1.0.0/16",
    });
    expect(storedSourcesRefusal(granted([]), publicPolicy, "db-1", false)?.message).toBe("db-1 lets in single addresses only, not anyone");
    expect(storedSourcesRefusal(granted([]), { ...publicPolicy, anySource: true }, "db-1", false)).toBeNull();
    expect(storedSourcesRefusal(granted([]), publicPolicy, "db-1", true)).toBeNull();
    expect(policyRefusal(granted([]), open, "db-1")?.field).toBe("listen.address");
  });

  it("validates a policy, naming the field", () => {
    const issues = (input: object) =>
      hostPolicySchema
        .partial()
        .safeParse(input)
        .error?.issues.map((issue) => issue.path.join("."));
    expect(issues({ kinds: [] })).toEqual(["kinds"]);
    expect(issues({ kinds: ["local", "local"] })).toEqual(["kinds"]);
    expect(issues({ targets: ["10.0.0.0/33"] })).toEqual(["targets.0"]);
    expect(issues({ ports: ["9000-8000"] })).toEqual(["ports.0"]);
    expect(issues({ maxTtlMinutes: 0 })).toEqual(["maxTtlMinutes"]);
    expect(issues({ targets: ["*.internal", "10.0.0.0/8", "db"], ports: ["22", "8000-8999"] })).toBeUndefined();
  });
});
