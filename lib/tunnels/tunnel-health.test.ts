import { describe, expect, it } from "vitest";
import { degradedReason, tunnelHops } from "@/lib/tunnels/tunnel-health";

const at = "2025-01-01T00:00:00.000Z";
const failed = (error: string) => ({ closedAt: at, error });
const ok = { closedAt: at, error: null };
const open = { closedAt: null, error: null };
const refused = "127.0.0.1:9 refused the connection (as reached from db-1)";

describe("degradedReason", () => {
  it("is the latest error once the last three finished connections all failed", () => {
    expect(degradedReason("active", [failed(refused), failed("other"), failed("older"), ok])).toBe(refused);
  });

  it("is null while fewer than three failed, or one succeeded since", () => {
    expect(degradedReason("active", [failed(refused), failed(refused)])).toBeNull();
    expect(degradedReason("active", [failed(refused), ok, failed(refused), failed(refused)])).toBeNull();
  });

  it("ignores open connections and ones a person closed, and tunnels not active", () => {
    expect(degradedReason("active", [open, failed("closed by alice@example.com"), failed(refused), failed(refused), failed(refused)])).toBe(refused);
    expect(degradedReason("reconnecting", [failed(refused), failed(refused), failed(refused)])).toBeNull();
  });
});

describe("tunnelHops", () => {
  const base = { statusReason: null, kind: "local" as const, hostName: "db-1", listenAt: "127.0.0.1:20001", target: "127.0.0.1:5432", degraded: null };

  it("says each hop's state in words", () => {
    expect(tunnelHops({ ...base, status: "active" }).map((hop) => [hop.state, hop.text])).toEqual([
      ["ok", "listening on 127.0.0.1:20001 (the bastion)"],
      ["ok", "connected"],
      ["ok", "reachable (no recent failures)"],
    ]);
  });

  it("marks the target down with the reason when degraded, and the link while it reconnects", () => {
    expect(tunnelHops({ ...base, status: "active", degraded: refused })[2]).toMatchObject({ state: "down", text: `unreachable: ${refused}` });
    expect(tunnelHops({ ...base, status: "reconnecting", statusReason: "timed out" })[1]).toMatchObject({ state: "warn", text: "reconnecting: timed out" });
  });
});
