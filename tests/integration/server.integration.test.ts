// Warren as a real process: health and readiness, the API's authentication
// and error shape, security headers, first-run closing, the CLI, bad
// configuration, HTTP timeouts, and a clean drain on SIGTERM.
import net from "node:net";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@/tests/harness/free-port";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { signInCookie } from "@/tests/harness/sign-in";
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

  it("answers readiness for load balancers without auth: the database, the engine and the journal's backlog", async () => {
    // The engine starts after the first sweeps, a moment after the server answers.
    await expect.poll(async () => (await api("/api/v1/health?ready=1")).status, { timeout: 60_000 }).toBe(200);
    const ready = await api("/api/v1/health?ready=1");
    expect(await ready.json()).toEqual({ status: "ok", database: true, engine: true, journalBacklog: expect.any(Number) });
  });

  it("closes the first-admin page once a user exists", async () => {
    await warren.createUser({ email: "admin@example.com", password, admin: true });
    expect((await api("/setup")).status).toBe(404);
    expect((await api("/")).headers.get("location")).toMatch(/\/login$/);
  });

  it("tells crawlers to index nothing (public/robots.txt), without signing in", async () => {
    const robots = await api("/robots.txt");
    expect(robots.status).toBe(200);
    expect(robots.headers.get("content-type")).toContain("text/plain");
    expect((await robots.text()).split("\n")).toEqual(expect.arrayContaining(["User-agent: *", "Disallow: /"]));
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
    expect(await tunnels.json()).toEqual({ tunnels: [], nextCursor: null });

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
    const missing = await warren.cli(["user", "set-password", "--email", "x@example.com"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("user set-password: give --password-stdin (or --password)");
    const unknownFlag = await warren.cli(["user", "disable", "--email", "x@example.com", "--force"]);
    expect(unknownFlag.code).toBe(2);
    const unknownUser = await warren.cli(["token", "create", "--email", "nobody@example.com"]);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain("no user with email nobody@example.com");
    const weak = await warren.cli(["user", "create", "--email", "x@example.com", "--password-stdin"], "short\n");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("password: must be at least 10 characters");
    const blank = await warren.cli(["user", "create", "--email", "x@example.com", "--password-stdin"], `${" ".repeat(10)}\n`);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain("password: must have at least 10 characters besides spaces at either end");
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
    [{ DATABASE_URL: "mysql://db" }, "warren: DATABASE_URL: must be file:<path> (SQLite) or postgresql://"],
    [{ WARREN_TRUSTED_PROXY_HEADER: "x-forwarded-for" }, "warren: WARREN_TRUSTED_PROXY_HEADER: needs WARREN_TRUSTED_PROXIES"],
    [
      { WARREN_TRUSTED_PROXY_HEADER: "x-forwarded-for", WARREN_TRUSTED_PROXIES: "proxy.lan" },
      "warren: WARREN_TRUSTED_PROXIES: must be an IP address or CIDR range",
    ],
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

  it("logs one JSON object per line, and each request under the id it answered with, not the client's", async () => {
    const response = await api("/api/v1/health", { headers: { "x-request-id": "chosen-by-the-client" } });
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    const entries = await waitFor(
      // The log keeps its last 64 kB: its first line may be cut.
      async () =>
        warren
          .logs()
          .split("\n")
          .slice(1)
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      (parsed) => parsed.some((entry) => entry.req === id),
      20_000,
      "the request's log line",
    );
    for (const entry of entries) expect(entry).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    expect(entries.find((entry) => entry.req === id)).toMatchObject({ msg: "request", method: "GET", route: "/api/v1/health", status: 200, ip: "127.0.0.1" });
    expect(JSON.stringify(entries)).not.toContain("chosen-by-the-client");
  });

  it("never prints its secrets", () => {
    expect(REPO_ROOT).toBeTruthy();
    expect(warren.logs()).not.toMatch(/auth-secret|secret-key|[0-9a-f]{64}/);
  });
});

/** Sends a request's headers a line every half second; resolves with what Warren answered before it closed the connection. */
function dripHeaders(): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(warren.port, "127.0.0.1", () => socket.write("GET /api/v1/health HTTP/1.1\r\nhost: warren\r\n"));
    const drip = setInterval(() => socket.write("x-drip: 1\r\n"), 500);
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("error", () => {}); // writes after Warren closed
    socket.on("close", () => {
      clearInterval(drip);
      resolve(answer);
    });
  });
}

/** Copies the newest audit record `count` times straight into the database: volume for the export, nothing else. */
async function padAudit(count: number) {
  const db = await openRawDatabase(warren);
  try {
    await db.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO "AuditEvent" (seq, at, "actorType", "actorId", "actorEmail", "actorIp", "userAgent", action, "hostId", "tunnelId", "subjectId", details, "prevHash", hash)
       SELECT last.seq + n.i, last.at, last."actorType", last."actorId", last."actorEmail", last."actorIp", last."userAgent", last.action, last."hostId", last."tunnelId", last."subjectId", last.details, last."prevHash", last.hash
       FROM n, (SELECT * FROM "AuditEvent" ORDER BY seq DESC LIMIT 1) AS last`,
      count,
    );
  } finally {
    await db.close();
  }
}

describe("HTTP timeouts", () => {
  it("cut a client that drips its request headers (slow loris), with a 408", { timeout: 50_000 }, async () => {
    // Node's own default would hold it 60 s or more; Warren's limit is 20 s.
    expect(await dripHeaders()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("leave long answers alone: an export read slowly, and a long-polling socket, outlive the header limit", { timeout: 120_000 }, async () => {
    await padAudit(60_000);
    const token = await warren.createToken("admin@example.com");
    const cookie = await signInCookie(warren.url, "admin@example.com", password);
    const socket = io(warren.url, { extraHeaders: { cookie }, transports: ["polling"], reconnection: false });
    const disconnected: string[] = [];
    socket.on("disconnect", (reason) => disconnected.push(reason));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    try {
      const response = await api("/api/v1/audit/export?format=jsonl", bearer(token));
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = decoder.decode((await reader.read()).value, { stream: true });
      // Stop reading for longer than the header and keep-alive limits, mid-answer.
      await new Promise((resolve) => setTimeout(resolve, 25_000));
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
      expect(text.trim().split("\n").length).toBeGreaterThan(60_000);
      expect(socket.connected).toBe(true);
      expect(disconnected).toEqual([]);
    } finally {
      socket.close();
    }
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
