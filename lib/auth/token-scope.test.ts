import { describe, expect, it } from "vitest";
import { scopeAllows, scopeNeeded } from "@/lib/auth/token-scope";

describe("token scopes", () => {
  it("let reads through with any scope", () => {
    expect(scopeNeeded("GET", "/api/v1/hosts")).toBe("read");
    expect(scopeNeeded("head", "/api/v1/audit/export")).toBe("read");
  });

  it("need tunnels to open, change or close a tunnel, or to sign one's device out", () => {
    expect(scopeNeeded("POST", "/api/v1/tunnels")).toBe("tunnels");
    expect(scopeNeeded("DELETE", "/api/v1/tunnels/abc/")).toBe("tunnels");
    expect(scopeNeeded("POST", "/api/v1/tunnels/abc/extend")).toBe("tunnels");
    expect(scopeNeeded("DELETE", "/api/v1/devices/current")).toBe("tunnels");
  });

  it("need admin for every other change, deciding on requests included", () => {
    expect(scopeNeeded("POST", "/api/v1/tunnels/abc/approve")).toBe("admin");
    expect(scopeNeeded("POST", "/api/v1/tunnels/abc/deny")).toBe("admin");
    expect(scopeNeeded("POST", "/api/v1/hosts")).toBe("admin");
    expect(scopeNeeded("POST", "/api/v1/tokens")).toBe("admin");
    expect(scopeNeeded("PATCH", "/api/v1/tunnelsx")).toBe("admin");
  });

  it("rank read below tunnels below admin", () => {
    expect(scopeAllows("admin", "tunnels")).toBe(true);
    expect(scopeAllows("tunnels", "tunnels")).toBe(true);
    expect(scopeAllows("tunnels", "admin")).toBe(false);
    expect(scopeAllows("read", "tunnels")).toBe(false);
    expect(scopeAllows("read", "read")).toBe(true);
  });
});
