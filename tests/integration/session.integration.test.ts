// Browser sessions against a real Warren: the cookie works for the API and
// socket.io from Warren's own pages, and is refused from anywhere else.
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInCookie } from "@/tests/harness/sign-in";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

let warren: WarrenHandle;
let cookie: string;

beforeAll(async () => {
  warren = await startWarren();
  await warren.createUser({ email: "alice@example.com", password: "correct horse battery" });
  cookie = await signInCookie(warren.url, "alice@example.com", "correct horse battery");
});
afterAll(() => warren?.dispose());

function socketOutcome(extraHeaders: Record<string, string>, transports: ("polling" | "websocket")[]): Promise<"connected" | string> {
  const socket = io(warren.url, { extraHeaders: { cookie, ...extraHeaders }, transports, reconnection: false });
  return new Promise((resolve) => {
    socket.once("connect", () => resolve("connected"));
    socket.once("connect_error", (error) => resolve(error.message));
  }).finally(() => socket.close()) as Promise<string>;
}

describe("a session cookie", () => {
  it("authenticates API reads", async () => {
    const me = await fetch(`${warren.url}/api/v1/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
  });

  it("changes state only with Warren's own Origin (CSRF)", async () => {
    const create = (origin?: string) =>
      fetch(`${warren.url}/api/v1/tokens`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...(origin ? { origin } : {}) },
        body: JSON.stringify({ name: "from a page" }),
      });
    expect((await create(warren.url)).status).toBe(201);
    const foreign = await create("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: { code: "forbidden", message: "cross-site request refused" } });
    expect((await create()).status).toBe(403);
    // Only the public URL: not what Next calls the server internally.
    expect((await create(`http://localhost:${warren.port}`)).status).toBe(403);
  });

  it("opens a socket from Warren's pages, by polling (no Origin) or WebSocket", async () => {
    expect(await socketOutcome({}, ["polling"])).toBe("connected");
    expect(await socketOutcome({ origin: warren.url }, ["websocket"])).toBe("connected");
  });

  it("opens no socket for another site", async () => {
    expect(await socketOutcome({ origin: "https://evil.example" }, ["websocket"])).toBe("unauthorized");
    expect(await socketOutcome({ "sec-fetch-site": "cross-site" }, ["polling"])).toBe("unauthorized");
    // A page at another name that resolves to Warren (DNS rebinding): its Origin matches the Host header, not the public URL.
    const rebound = `rebound.example:${warren.port}`;
    expect(await socketOutcome({ host: rebound, origin: `http://${rebound}` }, ["websocket"])).toBe("unauthorized");
  });

  it("opens no socket once signed out", async () => {
    const csrf = await fetch(`${warren.url}/api/auth/csrf`, { headers: { cookie } });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    await fetch(`${warren.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${cookie}; ${csrfCookie}`, origin: warren.url },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(await socketOutcome({ origin: warren.url }, ["websocket"])).toBe("unauthorized");
    expect((await fetch(`${warren.url}/api/v1/me`, { headers: { cookie } })).status).toBe(401);
  });
});
