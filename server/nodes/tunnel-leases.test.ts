import { describe, expect, it } from "vitest";
import { movedListenAddress, type Orphan } from "@/server/nodes/tunnel-leases";

const orphan = (listenAddress: string | null): Pick<Orphan, "listenAddress" | "nodeAddress"> => ({ nodeAddress: "10.0.0.2", listenAddress });

describe("where a tunnel taken over from another node listens", () => {
  it("stays on loopback, moves from the old node's address to this one's, and keeps any other", () => {
    expect(movedListenAddress(orphan("127.0.0.1"), "10.0.0.1")).toBe("127.0.0.1");
    expect(movedListenAddress(orphan("::1"), "10.0.0.1")).toBe("::1");
    expect(movedListenAddress(orphan("10.0.0.2"), "10.0.0.1")).toBe("10.0.0.1");
    expect(movedListenAddress(orphan("0.0.0.0"), "10.0.0.1")).toBe("0.0.0.0");
    expect(movedListenAddress(orphan(null), "10.0.0.1")).toBeNull();
  });
});
