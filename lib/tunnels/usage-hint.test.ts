import { describe, expect, it } from "vitest";
import { laptopLines, tunnelEndpoint, usageHint } from "@/lib/tunnels/usage-hint";

const host = { id: "h", name: "db-1", address: "10.0.0.5" };

describe("usage hints", () => {
  it("say where to point a client for each kind", () => {
    const local = { name: null, kind: "local" as const, listen: { address: "127.0.0.1", port: 20001 }, target: { host: "localhost", port: 5432 }, host };
    expect(tunnelEndpoint(local)).toBe("127.0.0.1:20001 → localhost:5432");
    expect(usageHint(local)?.sentence).toBe("Point your client at 127.0.0.1:20001 on the bastion; each connection reaches localhost:5432 as seen from db-1.");
    const dynamic = { name: null, kind: "dynamic" as const, listen: { address: "::1", port: 20002 }, target: null, host };
    expect(tunnelEndpoint(dynamic)).toBe("[::1]:20002 → SOCKS");
    expect(usageHint(dynamic)?.example).toBe("curl --socks5-hostname [::1]:20002 http://intranet.example/");
    const remote = { name: null, kind: "remote" as const, listen: { address: "0.0.0.0", port: 8080 }, target: { host: "127.0.0.1", port: 3000 }, host };
    expect(usageHint(remote)).toEqual({
      sentence: "Connect to 10.0.0.5:8080 on db-1; each connection reaches 127.0.0.1:3000 as seen from the bastion.",
      example: "nc -v 10.0.0.5 8080",
    });
  });

  it("dial a remote tunnel's port at its host's address, never at Warren's name for it, and say when only the host itself can", () => {
    const base = { name: null, kind: "remote" as const, target: { host: "127.0.0.1", port: 3000 } };
    expect(usageHint({ ...base, listen: { address: "10.0.0.5", port: 23700 }, host })?.example).toBe("nc -v 10.0.0.5 23700");
    expect(usageHint({ ...base, listen: { address: "0.0.0.0", port: 23700 }, host: { ...host, address: null } })?.example).toBe("nc -v db-1 23700");
    expect(usageHint({ ...base, listen: { address: "127.0.0.1", port: 23700 }, host })).toEqual({
      sentence:
        "Connect to 127.0.0.1:23700 from a program on db-1 itself: the port is on its loopback only. Each connection reaches 127.0.0.1:3000 as seen from the bastion.",
      example: "nc -v 127.0.0.1 23700   # run on db-1",
    });
  });

  it("name a tunnel with no port on the bastion by its name, and give no bastion hint for it", () => {
    const connectOnly = { id: "c1", name: "db", kind: "local" as const, listen: null, target: { host: "db.internal", port: 5432 }, host };
    expect(tunnelEndpoint(connectOnly)).toBe("db: warren connect → db.internal:5432");
    expect(usageHint(connectOnly)).toBeNull();
    expect(laptopLines(connectOnly, "https://warren.example/")).toEqual({
      fetch: "curl -fsSO https://warren.example/cli/warren.mjs",
      run: "node warren.mjs connect db",
    });
    expect(laptopLines({ id: "c1", name: null, target: null }, "https://warren.example").run).toBe("node warren.mjs connect c1");
  });

  it("show a remote tunnel to the owner's computer as such, with the expose line", () => {
    const toClient = { id: "e1", name: "demo", kind: "remote" as const, listen: { address: "0.0.0.0", port: 8080 }, target: { client: true as const }, host };
    expect(tunnelEndpoint(toClient)).toBe("demo: 0.0.0.0:8080 → your computer (warren expose)");
    expect(usageHint(toClient)?.sentence).toBe("Connect to 10.0.0.5:8080 on db-1; each connection reaches the service your warren expose client points at.");
    expect(laptopLines(toClient, "https://warren.example").run).toBe("node warren.mjs expose demo --to PORT");
  });
});
