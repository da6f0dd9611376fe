// Warren as a real process: health, the API's authentication and error
// shape, security headers, first-run closing, the CLI, bad configuration,
// and a clean drain on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runProcess, startWarren, type WarrenHandle } from "@/tests/harness/warren";

let warren: WarrenHandle;
const password = "correct horse battery";

beforeAll(async () => {
  warren = await startWarren();
});
afterAll(() => warren?.dispose());

const api = (path: string, init?: RequestInit) => fetch(`${warren.url}${path}`, { redirect: "manual", ...init });
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function expectUnauthorized(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("unauthorized");
  expect(body.error.message).toEqual(expect.any(String));
}

describe("a fresh Warren", () => {
  it("answers health without auth, and sends first visitors to the first-admin page", async () => {
    const health = await api("/api/v1/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const home = await api("/");
    expect(home.headers.get("location")).toMatch(/\/setup$/);
    expect((await api("/setup")).status).toBe(200);
  });

  it("closes the first-admin page once a user exists", async () => {
    await warren.createUser({ email: "admin@example.com", password, admin: true });
    expect((await api("/setup")).status).toBe(404);
    expect((await api("/")).headers.get("location")).toMatch(/\/login$/);
  });
});

describe("the API", () => {
  it("refuses requests without a token, with a wrong one and with a malformed header", async () => {
    await expectUnauthorized(await api("/api/v1/tunnels"));
    await expectUnauthorized(await api("/api/v1/tunnels", bearer("wrn_not-a-real-token")));
    await expectUnauthorized(await api("/api/v1/tunnels", { headers: { authorization: "Basic YTpi" } }));
    await expectUnauthorized(await api("/api/v1/me", { headers: { cookie: "next-auth.session-token=forged" } }));
  });

  it("serves a valid token, and refuses it once revoked", async () => {
    await warren.createUser({ email: "alice@example.com", password });
    const token = await warren.createToken("alice@example.com");
    const me = await api("/api/v1/me", bearer(token));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ user: expect.objectContaining({ email: "alice@example.com", role: "user" }) });
    const tunnels = await api("/api/v1/tunnels", bearer(token));
    expect(await tunnels.json()).toEqual({ tunnels: [] });

    const list = await warren.cli(["token", "list", "--email", "alice@example.com"]);
    const id = list.stdout.split(/\s+/)[0]!;
    expect((await warren.cli(["token", "revoke", "--id", id])).code).toBe(0);
    await expectUnauthorized(await api("/api/v1/me", bearer(token)));
  });

  it("refuses the token of a disabled user", async () => {
    await warren.createUser({ email: "bob@example.com", password });
    const token = await warren.createToken("bob@example.com");
    expect((await api("/api/v1/me", bearer(token))).status).toBe(200);
    expect((await warren.cli(["user", "disable", "--email", "bob@example.com"])).code).toBe(0);
    await expectUnauthorized(await api("/api/v1/me", bearer(token)));
  });

  it("answers unknown API paths and undecodable ones in the JSON error shape", async () => {
    const unknown = await api("/api/v1/nothing-here", { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: "not_found", message: "no such API path: /api/v1/nothing-here" } });
    const undecodable = await api("/api/v1/hosts/%80");
    expect(undecodable.status).toBe(400);
    expect(await undecodable.json()).toEqual({ error: { code: "bad_request", message: "the path is not valid percent-encoded UTF-8" } });
  });
});

describe("security headers", () => {
  it.each([
    ["/login", /script-src 'self' 'nonce-[^']+'/],
    ["/api/v1/health", /^default-src 'none'; frame-ancestors 'none'$/],
  ])("are on %s", async (path, policy) => {
    const response = await api(path);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(policy);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("use a fresh nonce on every page", async () => {
    const nonce = async () => /'nonce-([^']+)'/.exec((await api("/login")).headers.get("content-security-policy") ?? "")?.[1];
    expect(await nonce()).not.toBe(await nonce());
  });
});

describe("the CLI", () => {
  it("exits 2 with usage on bad arguments and 1 on unknown users", async () => {
    const unknownCommand = await warren.cli(["user", "frobnicate"]);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'user frobnicate'");
    const missing = await warren.cli(["user", "create", "--email", "x@example.com"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing --password");
    const unknownFlag = await warren.cli(["user", "disable", "--email", "x@example.com", "--force"]);
    expect(unknownFlag.code).toBe(2);
    const unknownUser = await warren.cli(["token", "create", "--email", "nobody@example.com"]);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain("no user with email nobody@example.com");
    const weak = await warren.cli(["user", "create", "--email", "x@example.com", "--password", "short"]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("password: must be at least 10 characters");
  });

  it("prints a new token once on stdout and stores only its hash", async () => {
    await warren.createUser({ email: "carol@example.com", password });
    const created = await warren.cli(["token", "create", "--email", "carol@example.com", "--name", "laptop"]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^wrn_\S+$/);
    expect(created.stderr).toContain("shown only this once");
    const list = await warren.cli(["token", "list", "--email", "carol@example.com"]);
    expect(list.stdout).toContain("laptop");
    expect(list.stdout).not.toContain(token);
  });
});

describe("start-up configuration", () => {
  it.each([
    [{ PORT: "not-a-port" }, "warren: PORT: must be a number"],
    [{ WARREN_SECRET_KEY: "short" }, "warren: WARREN_SECRET_KEY: must be 32 bytes"],
    [{ DATABASE_URL: "mysql://db" }, "warren: DATABASE_URL: only SQLite file: URLs are supported"],
  ])("stops with one line naming a bad setting (%o)", async (env, line) => {
    const result = await runProcess(["server/index.ts"], { ...warren.env, ...env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining(line)]);
  });

  it("names the port when it is taken", async () => {
    const result = await runProcess(["server/index.ts"], warren.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`warren: PORT: ${warren.port} is already in use on 127.0.0.1`);
  });

  it("never prints its secrets", () => {
    expect(REPO_ROOT).toBeTruthy();
    expect(warren.logs()).not.toMatch(/auth-secret|secret-key|[0-9a-f]{64}/);
  });
});

describe("SIGTERM", () => {
  it("drains with an open socket.io client and exits 0 within 10 s", async () => {
    const { io } = await import("socket.io-client");
    const token = await warren.createToken("admin@example.com");
    const socket = io(warren.url, { auth: { token }, transports: ["websocket"], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));
    const { code, ms } = await warren.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(await disconnected).toEqual(expect.any(String));
    expect(warren.logs()).toContain("SIGTERM received, draining");
  });
});
