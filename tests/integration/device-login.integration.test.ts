// `warren login` and `warren logout` end to end: the client Warren serves,
// run with Node as a person would, signs in through the device flow while
// the person approves (or denies) with the same HTTP route /device uses,
// signed in with a browser session. Then the stored token works like any
// API token, until it is revoked, expires, or the device logs out.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "@/tests/harness/api-client";
import { freePort } from "@/tests/harness/free-port";
import { httpFrom } from "@/tests/harness/http-from";
import { downloadClient, type ClientRun, type LaptopClient } from "@/tests/harness/laptop-client";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { signInAttempt, signInCookie } from "@/tests/harness/sign-in";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Device = { id: string; name: string; status: string; expiresAt: string; lastUsedIp: string | null };

let warren: WarrenHandle;
let laptop: LaptopClient;
let ada: string; // Ada's browser session cookie
const password = "correct horse battery";
const TOKEN_DAYS = 7;

beforeAll(async () => {
  warren = await startWarren({ env: { NODE_ENV: "production", WARREN_DEVICE_TOKEN_DAYS: String(TOKEN_DAYS) } });
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "ada@example.com", password });
  ada = await signInCookie(warren.url, "ada@example.com", password);
  laptop = await downloadClient(warren.url);
});
afterAll(async () => {
  laptop?.dispose();
  await warren?.dispose();
});

const credentialsFile = () => path.join(laptop.home, ".config", "warren", "credentials.json");
const exists = (file: string) => {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
};

/** A call as Ada's browser makes it: her session cookie, from Warren's own page. */
async function asBrowser<T>(cookie: string, method: string, apiPath: string, from?: string) {
  const answer = await httpFrom(`${warren.url}/api/v1${apiPath}`, { method, headers: { cookie, origin: warren.url }, from });
  return { status: answer.status, body: JSON.parse(answer.body) as T };
}

/** What /device's buttons do. */
const decide = (decision: "approve" | "deny", code: string, cookie = ada) => asBrowser<unknown>(cookie, "POST", `/device/requests/${code}/${decision}`);

/** Starts `warren login` and waits for the code it prints; `done` is the run to its end. */
async function startLogin(args: string[] = []): Promise<{ code: string; done: Promise<ClientRun> }> {
  const child = laptop.start(["login", warren.url, ...args]);
  let stdout = "";
  let stderr = "";
  const done = new Promise<ClientRun>((resolve) => child.once("close", (exit) => resolve({ code: exit, stdout, stderr })));
  const code = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /approve code ([A-Z]{4}-[A-Z]{4})/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("close", () => reject(new Error(`login ended before printing a code: ${stdout}${stderr}`)));
  });
  return { code, done };
}

/** A whole login, approved by Ada; the device's token. */
async function loggedIn(name: string): Promise<{ run: ClientRun; token: string }> {
  const { code, done } = await startLogin(["--name", name]);
  expect((await decide("approve", code)).status).toBe(200);
  const run = await done;
  expect(run.code, run.stderr).toBe(0);
  return { run, token: (JSON.parse(readFileSync(credentialsFile(), "utf8")) as { token: string }).token };
}

const devices = async (status = "active") => (await asBrowser<{ devices: Device[] }>(ada, "GET", `/devices?status=${status}`)).body.devices;

/** Changes the database behind Warren's back, as time passing would. */
async function rewrite(sql: string, ...values: unknown[]) {
  const db = await openRawDatabase(warren);
  try {
    await db.run(sql, ...values);
  } finally {
    await db.close();
  }
}
const past = () => new Date(Date.now() - 1000);

describe("login", () => {
  it("approved on the person's page: stores the URL and the device's token (mode 0600), which then works like an API token", async () => {
    const { code, done } = await startLogin(["--name", "ci-laptop"]);
    // What the person sees first, through the page's own route: the device, its address, the time.
    const seen = await asBrowser<{ request: { deviceName: string; ip: string; status: string } }>(ada, "GET", `/device/requests/${code}`);
    expect(seen.body.request).toMatchObject({ deviceName: "ci-laptop", ip: "127.0.0.1", status: "pending" });
    expect((await decide("approve", code)).status).toBe(200);

    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${warren.url}/device?code=${code}`);
    expect(run.stdout).toContain(`Logged in to ${warren.url} as ada@example.com, as device "ci-laptop"`);
    expect(run.stdout).toContain(credentialsFile());
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);

    const tunnels = await laptop.run(["tunnels"]);
    expect(tunnels.code, tunnels.stderr).toBe(0);
    expect(tunnels.stderr.trim()).toBe("no open tunnels");

    const [device] = (await devices()).filter((d) => d.name === "ci-laptop");
    expect(device).toMatchObject({ status: "active", lastUsedIp: "127.0.0.1" });
    const days = (new Date(device!.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(TOKEN_DAYS - 0.1);
    expect(days).toBeLessThanOrEqual(TOKEN_DAYS);
  });

  it("denied: says so, stores nothing (exit 1)", async () => {
    const before = exists(credentialsFile()) ? statSync(credentialsFile()).mtimeMs : null;
    const { code, done } = await startLogin(["--name", "not-mine"]);
    expect((await decide("deny", code)).status).toBe(200);
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("warren: the sign-in was denied: nothing was stored");
    expect(exists(credentialsFile()) ? statSync(credentialsFile()).mtimeMs : null).toBe(before);
    expect((await devices("all")).map((d) => d.name)).not.toContain("not-mine");
  });

  it("expired before anyone approved it: says to log in again (exit 1)", async () => {
    const { code, done } = await startLogin(["--name", "too-late"]);
    await rewrite(`UPDATE "DeviceAuthorization" SET "expiresAt" = ? WHERE "userCode" = ?`, past(), code.replace("-", ""));
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`warren: the code expired before the sign-in was approved: run \`warren login ${warren.url}\` again`);
    expect((await decide("approve", code)).status).toBe(409);
  });

  it("Warren unreachable: says so and where (exit 1)", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await laptop.run(["login", url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`warren: Warren at ${url} is unreachable: connect ECONNREFUSED`);
  });
});

describe("polling", () => {
  it("Warren answers slow_down to a device that polls before its interval", async () => {
    const started = await fetch(`${warren.url}/api/v1/device/code`, { method: "POST", body: JSON.stringify({ deviceName: "eager" }) });
    const { device_code, interval } = (await started.json()) as { device_code: string; interval: number };
    expect(interval).toBe(5);
    const poll = async () => {
      const response = await fetch(`${warren.url}/api/v1/device/token`, { method: "POST", body: JSON.stringify({ device_code }) });
      return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
    };
    expect(await poll()).toMatchObject({ status: 400, body: { error: { code: "authorization_pending" } } });
    expect(await poll()).toEqual({ status: 429, body: { error: { code: "slow_down", message: "polling too fast: wait 10 seconds between polls" } } });
  });

  it("the client waits the interval it was given, and 5 s more after each slow_down", async () => {
    // A stand-in for Warren: interval 1 s, one slow_down, then the token.
    const polls: number[] = [];
    const fake: Server = createServer((req: IncomingMessage, res) => {
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      req.resume();
      if (req.url === "/api/v1/device/code") {
        return json(200, {
          device_code: "dc",
          user_code: "BCDF-GHJK",
          verification_uri: "http://fake/device",
          verification_uri_complete: "http://fake/device?code=BCDF-GHJK",
          expires_in: 600,
          interval: 1,
        });
      }
      polls.push(Date.now());
      if (polls.length === 1) return json(429, { error: { code: "slow_down", message: "polling too fast: wait 6 seconds between polls" } });
      return json(200, {
        access_token: "wrn_from_the_fake",
        token_type: "Bearer",
        expires_in: 60,
        device: { id: "d", name: "x", expiresAt: new Date().toISOString() },
        user: { email: "ada@example.com" },
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    const other = await downloadClient(warren.url);
    try {
      const started = Date.now();
      const run = await other.run(["login", `http://127.0.0.1:${(fake.address() as AddressInfo).port}`]);
      expect(run.code, run.stderr).toBe(0);
      expect(polls).toHaveLength(2);
      expect(polls[0]! - started).toBeGreaterThanOrEqual(1000);
      expect(polls[1]! - polls[0]!).toBeGreaterThanOrEqual(6000);
    } finally {
      other.dispose();
      fake.close();
    }
  });
});

describe("guessing and who may approve", () => {
  it("wrong codes are limited per source: ten, then 429 even for the right one", async () => {
    await warren.createUser({ email: "guesser@example.com", password });
    const from = "127.0.0.9";
    const { session } = await signInAttempt(warren.url, "guesser@example.com", password, { from });
    const started = (await (await fetch(`${warren.url}/api/v1/device/code`, { method: "POST", body: "{}" })).json()) as { user_code: string };
    const guess = (code: string) => asBrowser<{ error: { code: string } }>(session!, "POST", `/device/requests/${code}/approve`, from);
    for (let i = 0; i < 10; i++) expect((await guess("BBBB-BBBB")).status).toBe(404);
    const limited = await guess(started.user_code);
    expect([limited.status, limited.body.error.code]).toEqual([429, "rate_limited"]);
  });

  it("links from another site only prefill the code: they cannot spend the person's wrong-code allowance", async () => {
    await warren.createUser({ email: "linked@example.com", password });
    const from = "127.0.0.10";
    const { session } = await signInAttempt(warren.url, "linked@example.com", password, { from });
    const page = (code: string, site: string) =>
      httpFrom(`${warren.url}/device?code=${code}`, { method: "GET", headers: { cookie: session!, "sec-fetch-site": site }, from });
    for (let i = 0; i < 11; i++) {
      const site = i % 2 ? "same-site" : "cross-site"; // same-site: a sibling subdomain, such as an app's
      const answer = await page("BBBB-BBBB", site);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('value="BBBB-BBBB"');
      expect(answer.body).not.toMatch(/no sign-in is waiting/i);
      // Nor does the API's read of a code, reached by a link from another site.
      const read = await httpFrom(`${warren.url}/api/v1/device/requests/BBBB-BBBB`, {
        method: "GET",
        headers: { cookie: session!, "sec-fetch-site": site },
        from,
      });
      expect(read.status).toBe(403);
    }
    // The person's own navigation looks it up, and is not limited by what the other site did.
    expect((await page("BBBB-BBBB", "none")).body).toContain("No sign-in is waiting with code BBBB-BBBB");
    const started = (await (await fetch(`${warren.url}/api/v1/device/code`, { method: "POST", body: "{}" })).json()) as { user_code: string };
    const approved = await asBrowser<{ status: string }>(session!, "POST", `/device/requests/${started.user_code}/approve`, from);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  });

  it("approving needs a browser session: a token, even a device's own, is refused", async () => {
    const { token } = await loggedIn("token-holder");
    const started = (await (await fetch(`${warren.url}/api/v1/device/code`, { method: "POST", body: "{}" })).json()) as { user_code: string };
    const byToken = await apiClient(warren.url, token).post<{ error: { code: string } }>(`/device/requests/${started.user_code}/approve`);
    expect([byToken.status, byToken.body.error.code]).toEqual([403, "forbidden"]);
    // Nor may a device token make a personal token, which would never expire.
    expect((await apiClient(warren.url, token).post("/tokens", { name: "forever" })).status).toBe(403);
  });
});

describe("a device token's end", () => {
  it("revoked on the account page (the same route): refused at once, its socket cut within seconds", async () => {
    const { token } = await loggedIn("to-revoke");
    const socket = io(warren.url, { auth: { token }, transports: ["websocket"], reconnection: false });
    const ended = new Promise<string>((resolve) => socket.once("session:ended", (event: { reason: string }) => resolve(event.reason)));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    const [device] = (await devices()).filter((d) => d.name === "to-revoke");
    const revoked = await asBrowser<Device>(ada, "DELETE", `/devices/${device!.id}`);
    expect([revoked.status, revoked.body.status]).toEqual([200, "revoked"]);

    const run = await laptop.run(["tunnels"]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`warren: the API token is invalid, expired or revoked: run \`warren login ${warren.url}\` to sign in again`);
    expect(await ended).toBe("your session has ended");
    socket.close();
  });

  it("expired: refused, by the API and by sockets", async () => {
    const { token } = await loggedIn("to-expire");
    await rewrite(`UPDATE "ApiToken" SET "expiresAt" = ? WHERE name = 'to-expire'`, past());
    const run = await laptop.run(["tunnels"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/warren: the API token expired at \d{4}-\d\d-\d\dT[\d:.]+Z: make a new one: run `warren login/);
    const socket = io(warren.url, { auth: { token }, transports: ["websocket"], reconnection: false });
    const refused = new Promise<string>((resolve) => {
      socket.once("connect", () => resolve("connected"));
      socket.once("connect_error", () => resolve("refused"));
    });
    expect(await refused).toBe("refused");
    socket.close();
    expect((await devices("all")).find((d) => d.name === "to-expire")?.status).toBe("expired");
  });

  it("logout revokes the device's own token, then removes the file", async () => {
    const { token } = await loggedIn("to-log-out");
    const run = await laptop.run(["logout"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`Logged out of ${warren.url}: this device's token is revoked, and ${credentialsFile()} removed.`);
    expect(exists(credentialsFile())).toBe(false);
    expect((await apiClient(warren.url, token).get("/me")).status).toBe(401);
    expect((await devices("all")).find((d) => d.name === "to-log-out")?.status).toBe("revoked");

    const again = await laptop.run(["logout"]);
    expect([again.code, again.stdout.trim()]).toEqual([0, `Not logged in: there are no credentials at ${credentialsFile()}.`]);
  });

  it("a new login replaces the last one's token on the machine", async () => {
    const first = await loggedIn("first-login");
    const second = await loggedIn("second-login");
    expect(second.run.stdout).toContain("The previous login's token on this machine is revoked.");
    expect((await apiClient(warren.url, first.token).get("/me")).status).toBe(401);
    expect((await apiClient(warren.url, second.token).get("/me")).status).toBe(200);
  });

  it("logout with Warren unreachable still removes the file, and says what that leaves (exit 1)", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    mkdirSync(path.dirname(credentialsFile()), { recursive: true });
    writeFileSync(credentialsFile(), JSON.stringify({ url: `${url}/`, token: "wrn_somewhere" }));
    const run = await laptop.run(["logout"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`warren: Warren at ${url} is unreachable`);
    expect(run.stderr).toContain(`Removed ${credentialsFile()}, but this device's token stays valid until it expires or you revoke it on ${url}/account`);
    expect(exists(credentialsFile())).toBe(false);
  });
});
