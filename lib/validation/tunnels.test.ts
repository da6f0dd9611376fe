import { describe, expect, it } from "vitest";
import { listTunnelsQuerySchema } from "@/lib/validation/page";
import { createTunnelSchema } from "@/lib/validation/tunnels";

describe("createTunnelSchema", () => {
  it("keeps what a request leaves out as left out: the TTL and the sources are the host's and the requester's to resolve, not a form's", () => {
    const parsed = createTunnelSchema.parse({ kind: "dynamic", hostId: "h1", listen: { port: 20001 } });
    expect(parsed).toEqual({ kind: "dynamic", hostId: "h1", listen: { address: "127.0.0.1", port: 20001 }, teamId: null, web: null });
    expect("name" in parsed).toBe(false);
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

describe("createTunnelSchema: names and tunnels with no port on the bastion", () => {
  const issue = (input: unknown) => createTunnelSchema.safeParse(input).error?.issues[0];

  it("takes a short slug as a name, and says what a name must be", () => {
    expect(createTunnelSchema.parse({ kind: "dynamic", hostId: "h1", name: "db-1" }).name).toBe("db-1");
    for (const name of ["DB", "1db", "db_1", "a".repeat(33), ""]) {
      expect(issue({ kind: "dynamic", hostId: "h1", name })).toMatchObject({
        path: ["name"],
        message: "must be 1 to 32 lower-case letters, digits and hyphens, starting with a letter",
      });
    }
  });

  it("lets local and dynamic tunnels leave listen out (no port on the bastion), not remote ones", () => {
    expect(createTunnelSchema.parse({ kind: "local", hostId: "h1", target: { host: "db", port: 5432 } }).listen).toBeNull();
    expect(issue({ kind: "remote", hostId: "h1", target: { host: "db", port: 5432 } })).toMatchObject({
      path: ["listen"],
      message: "is required for a remote tunnel: it is the port opened on the SSH host",
    });
  });

  it("refuses allowed sources for a tunnel with no port: there is no source to check", () => {
    expect(issue({ kind: "dynamic", hostId: "h1", allowedSources: ["10.0.0.1"] })).toMatchObject({ path: ["allowedSources"] });
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

describe("createTunnelSchema: web tunnels", () => {
  const issue = (input: unknown) => createTunnelSchema.safeParse(input).error?.issues[0];
  const local = { kind: "local", hostId: "h1", target: { host: "10.0.0.5", port: 443 } };

  it("takes a scheme, a Host header and the certificate choice", () => {
    expect(createTunnelSchema.parse({ ...local, web: { scheme: "https", hostHeader: "Wiki.Internal", insecureTls: true } }).web).toEqual({
      scheme: "https",
      hostHeader: "wiki.internal",
      insecureTls: true,
    });
  });

  it("names the field and the reason for what a web tunnel cannot be", () => {
    expect(issue({ ...local, web: { scheme: "ftp" } })).toMatchObject({
      path: ["web", "scheme"],
      message: "must be http or https: how Warren speaks to the app",
    });
    expect(issue({ ...local, web: { scheme: "http", insecureTls: true } })).toMatchObject({
      path: ["web", "insecureTls"],
      message: "is only for an https app",
    });
    expect(issue({ kind: "dynamic", hostId: "h1", web: { scheme: "http" } })).toMatchObject({
      path: ["web"],
      message: "is only for a local tunnel: its target is the web app",
    });
    expect(issue({ ...local, web: { scheme: "http", hostHeader: "a b" } })).toMatchObject({ path: ["web", "hostHeader"] });
  });
});
