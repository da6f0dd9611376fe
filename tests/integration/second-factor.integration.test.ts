// A second factor for password sign-in, with codes computed here as an
// authenticator app does (otplib): set up from a browser session, asked at
// sign-in (each code once, recovery codes once), asked again before a host
// change when the session's last proof is over 15 minutes old, and required
// before anything else when WARREN_REQUIRE_MFA says so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { sessionClient, type SessionClient } from "@/tests/harness/session-client";
import { signInAttempt, signInCookie } from "@/tests/harness/sign-in";
import { totpAt as codeAt } from "@/tests/harness/totp";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type AuditEvents = { events: { action: string; details: Record<string, unknown> }[] };
const password = "correct horse battery";

/** Sets up an authenticator app for the session's person; its secret, the code that confirmed it, and the recovery codes. */
async function enrol(call: SessionClient) {
  const started = await call<{ secret: string; uri: string; qrDataUrl: string }>("POST", "/me/mfa/totp");
  expect(started.status).toBe(201);
  expect(started.body.uri).toMatch(/^otpauth:\/\/totp\//);
  expect(started.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
  const wrong = await call("POST", "/me/mfa/totp/confirm", { code: "000000" });
  expect(wrong).toMatchObject({ status: 422, body: { error: { field: "code" } } });
  const firstCode = await codeAt(started.body.secret);
  const confirmed = await call<{ recoveryCodes: string[] }>("POST", "/me/mfa/totp/confirm", { code: firstCode });
  expect(confirmed.status).toBe(200);
  return { secret: started.body.secret, firstCode, recoveryCodes: confirmed.body.recoveryCodes };
}

describe("an authenticator app", () => {
  let warren: WarrenHandle;
  let admin: ApiClient;
  beforeAll(async () => {
    warren = await startWarren();
    await warren.createUser({ email: "admin@example.com", password, admin: true });
    admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  });
  afterAll(() => warren?.dispose());

  it("is set up from a browser session only, and then asked for at every sign-in; each code works once", async () => {
    await warren.createUser({ email: "tia@example.com", password });
    const token = apiClient(warren.url, await warren.createToken("tia@example.com"));
    expect((await token.post("/me/mfa/totp")).status).toBe(403);
    const { secret, firstCode } = await enrol(sessionClient(warren.url, await signInCookie(warren.url, "tia@example.com", password)));

    expect(await signInAttempt(warren.url, "tia@example.com", password)).toMatchObject({ session: undefined, error: "SecondFactorRequired" });
    expect(await signInAttempt(warren.url, "tia@example.com", password, { code: "123456" })).toMatchObject({
      session: undefined,
      error: "SecondFactorInvalid",
    });
    // The code used to confirm the app is spent; the next step's works, once.
    expect((await signInAttempt(warren.url, "tia@example.com", password, { code: firstCode })).session).toBeUndefined();
    const next = await codeAt(secret, 1);
    expect((await signInAttempt(warren.url, "tia@example.com", password, { code: next })).session).toBeDefined();
    expect((await signInAttempt(warren.url, "tia@example.com", password, { code: next })).error).toBe("SecondFactorInvalid");
    // A wrong password with a right code is still a wrong password.
    expect((await signInAttempt(warren.url, "tia@example.com", "not the password", { code: await codeAt(secret, -1) })).error).toBe("CredentialsSignin");
    const failed = (await admin.get<AuditEvents>("/audit?action=auth.second_factor_failed")).body.events[0];
    expect(failed?.details).toMatchObject({ email: "tia@example.com", purpose: "sign-in" });
  });

  it("gives ten recovery codes, each of which signs in once", async () => {
    await warren.createUser({ email: "rob@example.com", password });
    const { recoveryCodes } = await enrol(sessionClient(warren.url, await signInCookie(warren.url, "rob@example.com", password)));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const [first] = recoveryCodes;
    expect((await signInAttempt(warren.url, "rob@example.com", password, { code: first!.toLowerCase() })).session).toBeDefined();
    expect((await signInAttempt(warren.url, "rob@example.com", password, { code: first! })).error).toBe("SecondFactorInvalid");
    const used = (await admin.get<AuditEvents>("/audit?action=auth.recovery_code_used")).body.events[0];
    expect(used?.details).toMatchObject({ email: "rob@example.com", left: 9 });
  });

  it("is asked for again before a host change once the session's last proof is over 15 minutes old", async () => {
    await warren.createUser({ email: "ada@example.com", password, admin: true });
    const { secret, recoveryCodes } = await enrol(sessionClient(warren.url, await signInCookie(warren.url, "ada@example.com", password)));
    const session = (await signInAttempt(warren.url, "ada@example.com", password, { code: recoveryCodes[0] })).session!;
    const call = sessionClient(warren.url, session);
    const host = (await admin.post<{ id: string }>("/hosts", { name: "web-1", address: "127.0.0.1", username: "x", generateKey: true })).body;
    expect((await call("PATCH", `/hosts/${host.id}`, { name: "web-2" })).status).toBe(200);

    const db = await openRawDatabase(warren);
    const old = new Date(Date.now() - 16 * 60_000);
    await db.run(`UPDATE "AuthSession" SET "secondFactorAt" = ? WHERE "userId" = (SELECT id FROM "User" WHERE email = 'ada@example.com')`, old);
    await db.close();
    expect(await call("PATCH", `/hosts/${host.id}`, { name: "web-3" })).toMatchObject({ status: 403, body: { error: { code: "second_factor_required" } } });
    expect((await admin.get<{ name: string }>(`/hosts/${host.id}`)).body.name).toBe("web-2");
    expect((await call("POST", "/me/mfa/verify", { code: "000000" })).status).toBe(422);
    expect((await call("POST", "/me/mfa/verify", { code: await codeAt(secret, 1) })).status).toBe(200);
    expect((await call("PATCH", `/hosts/${host.id}`, { name: "web-3" })).status).toBe(200);
    // Tokens are not browser sessions: their scope limits them instead.
    expect((await admin.patch(`/hosts/${host.id}`, { name: "web-4" })).status).toBe(200);
  });

  it("is removed by its owner with a code, or by an admin for someone who lost it", async () => {
    await warren.createUser({ email: "lou@example.com", password });
    const call = sessionClient(warren.url, await signInCookie(warren.url, "lou@example.com", password));
    const { secret } = await enrol(call);
    const lou = (await call<{ user: { id: string } }>("GET", "/me")).body.user;
    expect((await call("DELETE", "/me/mfa/totp", { code: "000000" })).status).toBe(422);
    expect((await call("DELETE", "/me/mfa/totp", { code: await codeAt(secret, 1) })).status).toBe(200);
    expect((await signInAttempt(warren.url, "lou@example.com", password)).session).toBeDefined();

    await enrol(call);
    expect((await apiClient(warren.url, await warren.createToken("lou@example.com")).delete(`/users/${lou.id}/mfa`)).status).toBe(403);
    expect((await admin.delete(`/users/${lou.id}/mfa`)).status).toBe(200);
    expect((await signInAttempt(warren.url, "lou@example.com", password)).session).toBeDefined();
    expect((await admin.get<AuditEvents>("/audit?action=mfa.removed")).body.events[0]?.details).toMatchObject({ email: "lou@example.com", byAdmin: true });
  });
});

describe("WARREN_REQUIRE_MFA=admins", () => {
  let warren: WarrenHandle;
  beforeAll(async () => {
    warren = await startWarren({ env: { WARREN_REQUIRE_MFA: "admins" } });
    await warren.createUser({ email: "boss@example.com", password, admin: true });
    await warren.createUser({ email: "dev@example.com", password });
  });
  afterAll(() => warren?.dispose());

  it("lets an admin's session do nothing but set up a second factor until it has one; users are not asked", async () => {
    const call = sessionClient(warren.url, await signInCookie(warren.url, "boss@example.com", password));
    expect(await call("GET", "/tunnels")).toMatchObject({ status: 403, body: { error: { code: "second_factor_setup_required" } } });
    expect((await call<{ required: boolean; enrolled: boolean }>("GET", "/me/mfa")).body).toMatchObject({ required: true, enrolled: false });
    const page = await fetch(`${warren.url}/tunnels`, {
      headers: { cookie: await signInCookie(warren.url, "boss@example.com", password) },
      redirect: "manual",
    });
    expect(page.headers.get("location")).toMatch(/\/account$/);
    await enrol(call);
    expect((await call("GET", "/tunnels")).status).toBe(200);
    expect((await sessionClient(warren.url, await signInCookie(warren.url, "dev@example.com", password))("GET", "/tunnels")).status).toBe(200);
  });
});
