import { describe, expect, it } from "vitest";
import { createAuditSinkSchema } from "@/lib/validation/integrations";

const secret = "a webhook secret of some length";
const firstIssue = (input: unknown) => {
  const result = createAuditSinkSchema.safeParse(input);
  return result.success ? null : [result.error.issues[0]!.path.join("."), result.error.issues[0]!.message];
};

describe("createAuditSinkSchema", () => {
  it("takes a webhook with its secret, or a syslog collector", () => {
    expect(createAuditSinkSchema.parse({ kind: "webhook", name: " SIEM ", url: "https://siem.example.com/in?key=x", secret })).toEqual({
      kind: "webhook",
      name: "siem",
      url: "https://siem.example.com/in?key=x",
      secret,
    });
    expect(createAuditSinkSchema.parse({ kind: "syslog", name: "collector", target: "tls://logs.example.com" })).toEqual({
      kind: "syslog",
      name: "collector",
      target: { protocol: "tls", host: "logs.example.com", port: 6514 },
    });
  });

  it("refuses files, the environment's names, short secrets and other schemes, naming the field", () => {
    expect(firstIssue({ kind: "file", name: "disk" })?.[1]).toBe("kind: must be webhook or syslog");
    expect(firstIssue({ kind: "webhook", name: "webhook", url: "https://siem.example.com/", secret })).toEqual([
      "name",
      "is taken by the sinks set in the environment: choose another",
    ]);
    expect(firstIssue({ kind: "webhook", name: "siem", url: "https://siem.example.com/", secret: "short" })?.[0]).toBe("secret");
    expect(firstIssue({ kind: "webhook", name: "siem", url: "ftp://siem.example.com/", secret })).toEqual(["url", "must be an http:// or https:// URL"]);
    expect(firstIssue({ kind: "syslog", name: "siem", target: "udp://logs.example.com:514" })).toEqual([
      "target",
      "must be tcp://host:port or tls://host:port",
    ]);
    expect(firstIssue({ kind: "syslog", name: "no spaces", target: "tcp://logs.example.com" })?.[0]).toBe("name");
  });
});
