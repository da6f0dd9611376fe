import { describe, expect, it } from "vitest";
import { connectionsTunnelOf } from "@/server/nodes/relay-connection-requests";

describe("which requests are relayed to the node carrying their tunnel", () => {
  it("takes the tunnel's id from the connections routes, with or without a query", () => {
    expect(connectionsTunnelOf("/api/v1/tunnels/t1/connections")).toBe("t1");
    expect(connectionsTunnelOf("/api/v1/tunnels/t1/connections?state=open")).toBe("t1");
    expect(connectionsTunnelOf("/api/v1/tunnels/t1/connections/c9")).toBe("t1");
    expect(connectionsTunnelOf("/api/v1/tunnels/t1/connections/")).toBe("t1");
  });

  it("leaves every other route to the node reached", () => {
    for (const url of [
      "/api/v1/tunnels/t1",
      "/api/v1/tunnels/t1/history",
      "/api/v1/tunnels/t1/connections/c9/more",
      "/api/v1/tunnels//connections",
      "/tunnels/t1/connections",
      undefined,
    ]) {
      expect(connectionsTunnelOf(url)).toBeUndefined();
    }
  });
});
