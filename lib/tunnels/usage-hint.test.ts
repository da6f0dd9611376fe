import { describe, expect, it } from "vitest";
import { tunnelEndpoint, usageHint } from "@/lib/tunnels/usage-hint";

const host = { id: "h", name: "db-1" };

describe("usage hints", () => {
  it("say where to point a client for each kind", () => {
    const local = { kind: "local" as const, listen: { address: "127.0.0.1", port: 20001 }, target: { host: "localhost", port: 5432 }, host };
    expect(tunnelEndpoint(local)).toBe("127.0.0.1:20001 → localhost:5432");
    expect(usageHint(local).sentence).toBe("Point your client at 127.0.0.1:20001 on the bastion; each connection reaches localhost:5432 as seen from db-1.");
    const dynamic = { kind: "dynamic" as const, listen: { address: "::1", port: 20002 }, target: null, host };
    expect(tunnelEndpoint(dynamic)).toBe("[::1]:20002 → SOCKS");
    expect(usageHint(dynamic).example).toBe("curl --socks5-hostname [::1]:20002 http://intranet.example/");
    const remote = { kind: "remote" as const, listen: { address: "0.0.0.0", port: 8080 }, target: { host: "127.0.0.1", port: 3000 }, host };
    expect(usageHint(remote).sentence).toBe("Connect to 0.0.0.0:8080 on db-1; each connection reaches 127.0.0.1:3000 as seen from the bastion.");
  });
});
