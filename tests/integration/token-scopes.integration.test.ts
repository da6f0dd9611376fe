// API tokens carry a scope and an expiry, checked on every route, socket and
// tunnel WebSocket: a token out of its scope gets 403 naming both, an expired
// one 401 saying so, and each refusal is audited (then counted).
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Token = { id: string; token: string; scope: string; expiresAt: string };
type AuditEvents = { events: { action: string; details: Record<string, unknown> }[] };

let warren: WarrenHandle;
let admin: ApiClient;

beforeAll(async () => {
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password: "correct horse battery", admin: true });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
});
afterAll(() => warren?.dispose());

const days = (iso: string) => (new Date(iso).getTime() - Date.now()) / 86_400_000;

async function tokenWith(body: Record<string, unknown>): Promise<ApiClient & { token: Token }> {
  const created = await admin.post<Token>("/tokens", body);
  expect(created.status).toBe(201);
  return Object.assign(apiClient(warren.url, created.body.token), { token: created.body });
}

/** Whether a tunnel WebSocket upgrade with this token gets past authentication: the status it is answered with. */
function upgradeStatus(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${warren.url.replace("http", "ws")}/api/v1/tunnels/no-such-tunnel/connect`, {
      headers: { authorization: `Bearer ${token}` },
    });
    socket.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    socket.once("open", () => reject(new Error("the upgrade was accepted")));
    socket.once("error", () => {});
  });
}

describe("API tokens", () => {
  it("are made for all their owner may do and 90 days unless told, and refuse days beyond a year", async () => {
    const plain = await tokenWith({ name: "plain" });
    expect(plain.token.scope).toBe("admin");
    expect(days(plain.token.expiresAt)).toBeCloseTo(90, 1);
    const short = await tokenWith({ name: "short", scope: "read", expiresInDays: 7 });
    expect(short.token).toMatchObject({ scope: "read" });
    expect(days(short.token.expiresAt)).toBeCloseTo(7, 1);
    const tooLong = await admin.post<ApiErrorBody>("/tokens", { name: "long", expiresInDays: 400 });
    expect(tooLong).toMatchObject({ status: 422, body: { error: { field: "expiresInDays", message: "expiresInDays: must be at most 365 days" } } });
    const badScope = await admin.post<ApiErrorBody>("/tokens", { name: "x", scope: "root" });
    expect(badScope).toMatchObject({ status: 422, body: { error: { field: "scope", message: "scope: must be read, tunnels or admin" } } });
  });

  it("read: reads and live updates, nothing else", async () => {
    const read = await tokenWith({ name: "reader", scope: "read" });
    expect((await read.get("/tunnels")).status).toBe(200);
    expect((await read.get("/hosts")).status).toBe(200);
    const refused = await read.post<ApiErrorBody>("/tunnels", {});
    expect(refused).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden", message: "this token's scope is read: POST /api/v1/tunnels needs a token with scope tunnels" } },
    });
    expect((await read.post("/teams", { name: "readers" })).status).toBe(403);
    expect(await upgradeStatus(read.token.token)).toBe(403);
    const socket = io(warren.url, { auth: { token: read.token.token }, transports: ["websocket"], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    socket.close();
  });

  it("tunnels: tunnel work and its own tunnel sockets, not hosts, teams, tokens or decisions on requests", async () => {
    const tunnels = await tokenWith({ name: "tunnels", scope: "tunnels" });
    // Past the scope check: the answers are about the request itself.
    expect((await tunnels.post<ApiErrorBody>("/tunnels", {})).status).toBe(422);
    expect((await tunnels.delete("/tunnels/no-such-tunnel")).status).toBe(404);
    expect(await upgradeStatus(tunnels.token.token)).toBe(404);
    for (const [path, body] of [
      ["/hosts", { name: "h" }],
      ["/teams", { name: "t" }],
      ["/tokens", { name: "more" }],
      ["/tunnels/no-such-tunnel/approve", {}],
    ] as const) {
      expect((await tunnels.post(path, body)).status, path).toBe(403);
    }
  });

  it("expired: refused with its expiry named, and audited", async () => {
    const expiring = await tokenWith({ name: "to-expire", scope: "admin", expiresInDays: 1 });
    const db = await openRawDatabase(warren);
    const past = new Date(Date.now() - 1000);
    await db.run(`UPDATE "ApiToken" SET "expiresAt" = ? WHERE id = ?`, past, expiring.token.id);
    await db.close();
    expect(await expiring.get<ApiErrorBody>("/me")).toMatchObject({
      status: 401,
      body: { error: { code: "unauthorized", message: `the API token expired at ${past.toISOString()}: make a new one` } },
    });
    const failures = (await admin.get<AuditEvents>("/audit?action=auth.token_failed")).body.events.map((event) => event.details);
    expect(failures).toContainEqual(expect.objectContaining({ reason: "expired" }));
    expect(failures).toContainEqual(expect.objectContaining({ reason: "out of scope", scope: "read", needed: "tunnels", what: "POST /api/v1/tunnels" }));
  });
});
