import { describe, expect, it } from "vitest";
import { listTunnelsQuerySchema } from "@/lib/validation/page";
import { createTunnelSchema } from "@/lib/validation/tunnels";

describe("createTunnelSchema", () => {
  it("keeps what a request leaves out as left out: the TTL and the sources are the host's and the requester's to resolve, not a form's", () => {
    const parsed = createTunnelSchema.parse({ kind: "dynamic", hostId: "h1", listen: { port: 20001 } });
    expect(parsed).toEqual({ kind: "dynamic", hostId: "h1", listen: { address: "127.0.0.1", port: 20001 }, teamId: null });
    expect("ttlMinutes" in parsed).toBe(false);
    expect("allowedSources" in parsed).toBe(false);
  });

  it("keeps what is given, an empty list of sources (anyone) included", () => {
    expect(createTunnelSchema.parse({ kind: "dynamic", hostId: "h1", listen: { port: 20001 }, ttlMinutes: 30, allowedSources: [] })).toMatchObject({
      ttlMinutes: 30,
      allowedSources: [],
    });
  });
});

describe("listTunnelsQuerySchema", () => {
  it("lists open tunnels unless asked for all, a page at a time", () => {
    expect(listTunnelsQuerySchema.parse({})).toEqual({ status: "open", limit: 100 });
    expect(listTunnelsQuerySchema.parse({ status: "all", limit: "5" })).toEqual({ status: "all", limit: 5 });
    expect(listTunnelsQuerySchema.parse({ status: "closed" }).status).toBe("open");
    expect(listTunnelsQuerySchema.safeParse({ cursor: "nonsense" }).error?.issues[0]).toMatchObject({
      path: ["cursor"],
      message: "must be the nextCursor of a previous page",
    });
  });
});
