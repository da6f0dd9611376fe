import { describe, expect, it } from "vitest";
import { matchesSearch, matchesStatus, sortTunnels } from "@/lib/tunnels/tunnel-filter";

const tunnel = (id: string, extra: Partial<Parameters<typeof matchesSearch>[0]> = {}) => ({
  id,
  status: "active" as const,
  name: null,
  kind: "local" as const,
  listen: { address: "127.0.0.1", port: 20001 },
  target: { host: "db.internal", port: 5432 },
  host: { id: "h", name: "db-gw", address: null },
  ownerEmail: "alice@example.com",
  expiresAt: "2030-01-01T00:00:00.000Z",
  ...extra,
});

describe("matchesSearch", () => {
  it("finds every word in the name, endpoint, host or owner, in any case", () => {
    const orders = tunnel("a", { name: "orders" });
    for (const query of ["", "ORDERS", "db.internal", "20001", "db-gw", "alice", "orders alice"]) expect(matchesSearch(orders, query), query).toBe(true);
    for (const query of ["bob", "orders bob", "5433"]) expect(matchesSearch(orders, query), query).toBe(false);
  });
});

describe("matchesStatus", () => {
  it("keeps the statuses of its filter, and everything for all", () => {
    expect(matchesStatus({ status: "pending_approval" }, "waiting")).toBe(true);
    expect(matchesStatus({ status: "expired" }, "ended")).toBe(true);
    expect(matchesStatus({ status: "active" }, "failed")).toBe(false);
    expect(matchesStatus({ status: "closed" }, "all")).toBe(true);
  });
});

describe("sortTunnels", () => {
  const soon = tunnel("soon", { expiresAt: "2030-01-01T00:00:00.000Z", status: "failed", host: { id: "h", name: "zeta", address: null } });
  const later = tunnel("later", { expiresAt: "2031-01-01T00:00:00.000Z", host: { id: "h", name: "alpha", address: null } });
  const rates: Record<string, number> = { soon: 10, later: 5 };
  const order = (key: "status" | "host" | "rate" | "expiry", direction: "ascending" | "descending") =>
    sortTunnels([later, soon], { key, direction }, (t) => rates[t.id]!).map((t) => t.id);

  it("orders by expiry, host, live rate or how much a status asks for attention, either way", () => {
    expect(order("expiry", "ascending")).toEqual(["soon", "later"]);
    expect(order("expiry", "descending")).toEqual(["later", "soon"]);
    expect(order("host", "ascending")).toEqual(["later", "soon"]);
    expect(order("rate", "descending")).toEqual(["soon", "later"]);
    expect(order("status", "ascending")).toEqual(["soon", "later"]);
  });

  it("keeps the given order with no sort", () => {
    expect(sortTunnels([later, soon], null, () => 0).map((t) => t.id)).toEqual(["later", "soon"]);
  });
});
