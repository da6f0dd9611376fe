// Managing people from the API the Users and Account pages use: an invited
// person sets their password with a one-time link, a reset link ends their
// sessions, roles change (never leaving Warren without an admin), and
// sessions are listed and ended one by one, by their owner or an admin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { sessionClient } from "@/tests/harness/session-client";
import { signInAttempt, signInCookie } from "@/tests/harness/sign-in";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Link = { url: string; purpose: string; expiresAt: string };
type User = { id: string; email: string; role: string; lastSignInAt: string | null; setPasswordLink: Link | null };
type Session = { id: string; ip: string | null; userAgent: string | null; current: boolean };
type AuditEvents = { events: { action: string; details: Record<string, unknown> }[] };

let warren: WarrenHandle;
let admin: ApiClient;
const password = "correct horse battery";

beforeAll(async () => {
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
});
afterAll(() => warren?.dispose());

const secretOf = (link: Link) => new URL(link.url).hash.slice(1);

async function setPassword(secret: string, newPassword: string) {
  const response = await fetch(`${warren.url}/api/v1/set-password`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secret, password: newPassword }),
  });
  return { status: response.status, body: (await response.json()) as { email?: string } & Partial<ApiErrorBody> };
}

/** A cookie-authenticated call, as the Account page makes it. */
const asBrowser = <T>(cookie: string, method: string, path: string) => sessionClient(warren.url, cookie)<T>(method, path);

describe("people", () => {
  it("an invited person sets their own password with a one-time link, then signs in", async () => {
    const created = await admin.post<User>("/users", { email: "ivy@example.com", name: "Ivy" });
    expect(created.status).toBe(201);
    const link = created.body.setPasswordLink!;
    expect(link.url).toMatch(new RegExp(`^${warren.url}/set-password#[\\w-]{43}$`));
    expect(link.purpose).toBe("invite");
    expect((await signInAttempt(warren.url, "ivy@example.com", "")).session).toBeUndefined();

    expect(await setPassword(secretOf(link), "short")).toMatchObject({ status: 422, body: { error: { field: "password" } } });
    expect(await setPassword(secretOf(link), "ivys own long password")).toEqual({ status: 200, body: { email: "ivy@example.com" } });
    expect((await signInAttempt(warren.url, "ivy@example.com", "ivys own long password")).session).toBeDefined();
    expect(await setPassword(secretOf(link), "someone elses password")).toMatchObject({
      status: 404,
      body: { error: { message: "this link is not valid: it was used, replaced or has expired; ask an admin for a new one" } },
    });
    const audit = (await admin.get<AuditEvents>("/audit?action=user.password_set")).body.events[0];
    expect(audit?.details).toMatchObject({ email: "ivy@example.com", purpose: "invite" });
  });

  it("a reset link replaces the one before it, and using it ends every session of the person", async () => {
    await warren.createUser({ email: "rex@example.com", password });
    const rex = (await admin.get<{ users: User[] }>("/users")).body.users.find((user) => user.email === "rex@example.com")!;
    const session = await signInCookie(warren.url, "rex@example.com", password);
    const first = (await admin.post<Link>(`/users/${rex.id}/password-link`)).body;
    const second = (await admin.post<Link>(`/users/${rex.id}/password-link`)).body;
    expect(second.purpose).toBe("reset");
    expect((await setPassword(secretOf(first), "from the older link")).status).toBe(404);
    expect((await setPassword(secretOf(second), "rex chose a new one")).status).toBe(200);
    expect((await asBrowser(session, "GET", "/me")).status).toBe(401);
    expect((await signInAttempt(warren.url, "rex@example.com", password)).session).toBeUndefined();
    expect((await signInAttempt(warren.url, "rex@example.com", "rex chose a new one")).session).toBeDefined();
  });

  it("roles change from the API, audited, but the last admin stays one", async () => {
    const me = (await admin.get<{ user: { id: string } }>("/me")).body.user;
    expect(await admin.patch<ApiErrorBody>(`/users/${me.id}`, { role: "user" })).toMatchObject({
      status: 409,
      body: { error: { field: "role", message: "admin@example.com is the last admin: make someone else admin first" } },
    });
    await warren.createUser({ email: "max@example.com", password });
    const max = (await admin.get<{ users: User[] }>("/users")).body.users.find((user) => user.email === "max@example.com")!;
    expect((await admin.patch<User>(`/users/${max.id}`, { role: "admin" })).body.role).toBe("admin");
    expect((await admin.get<AuditEvents>("/audit?action=user.role_changed")).body.events[0]?.details).toMatchObject({
      email: "max@example.com",
      from: "user",
      role: "admin",
    });
    expect((await admin.patch<User>(`/users/${max.id}`, { role: "user" })).body.role).toBe("user");
    expect((await admin.patch<ApiErrorBody>(`/users/${max.id}`, { role: "owner" })).status).toBe(422);
    expect((await admin.patch<ApiErrorBody>(`/users/${max.id}`, {})).status).toBe(422);
  });

  it("sessions are listed with where they came from, and ended one at a time by their owner or an admin", async () => {
    await warren.createUser({ email: "sam@example.com", password });
    const first = await signInCookie(warren.url, "sam@example.com", password);
    const second = await signInCookie(warren.url, "sam@example.com", password);
    const mine = await asBrowser<{ sessions: Session[] }>(first, "GET", "/me/sessions");
    expect(mine.body.sessions).toHaveLength(2);
    expect(mine.body.sessions.filter((session) => session.current)).toHaveLength(1);
    expect(mine.body.sessions[0]).toMatchObject({ ip: "127.0.0.1" });
    const other = mine.body.sessions.find((session) => !session.current)!;
    expect((await asBrowser(first, "DELETE", `/me/sessions/${other.id}`)).status).toBe(200);
    expect((await asBrowser(second, "GET", "/me")).status).toBe(401);
    expect((await asBrowser(first, "GET", "/me")).status).toBe(200);

    const sam = (await asBrowser<{ user: { id: string } }>(first, "GET", "/me")).body.user;
    const seen = (await admin.get<{ sessions: Session[] }>(`/users/${sam.id}/sessions`)).body.sessions;
    expect(seen).toHaveLength(1);
    expect((await admin.delete(`/users/${sam.id}/sessions/${seen[0]!.id}`)).status).toBe(200);
    expect((await asBrowser(first, "GET", "/me")).status).toBe(401);
    expect((await admin.get<AuditEvents>("/audit?action=user.session_ended")).body.events[0]?.details).toMatchObject({ email: "sam@example.com" });
  });
});
