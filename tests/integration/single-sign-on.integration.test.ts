// Single sign-on against a real OpenID provider (oidc-provider): people
// arrive just in time with their email and name, in the teams their groups
// map to, admins by group; each sign-in makes the group-given memberships
// match again. Warren refuses what it must: ID tokens with a wrong audience,
// issuer or nonce, or an expired one (next-auth's checks), a user disabled in
// Warren, and a local account's email unless linking is allowed and verified.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePort } from "@/tests/harness/free-port";
import { startTestIdp, type TestIdp } from "@/tests/harness/oidc-idp";
import { signInAttempt } from "@/tests/harness/sign-in";
import { ssoSignIn } from "@/tests/harness/sso-sign-in";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Team = { id: string; idpGroups: string[]; members: { email: string; fromIdp: boolean }[] };
type Me = { user: { id: string; email: string; name: string | null; role: string } };
type AuditEvents = { events: { action: string; details: Record<string, unknown> }[] };

const password = "correct horse battery";

/** An IdP on a free port and the Warren it signs in to. */
async function warrenWithIdp(env: Record<string, string> = {}) {
  const port = await freePort();
  const idp = await startTestIdp(`http://127.0.0.1:${port}`);
  const warren = await startWarren({ port, env: { ...idp.env, ...env } });
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  return { idp, warren, admin: apiClient(warren.url, await warren.createToken("admin@example.com")) };
}

async function me(warren: WarrenHandle, session: string | undefined) {
  const response = await fetch(`${warren.url}/api/v1/me`, { headers: { cookie: session ?? "" } });
  return response.ok ? ((await response.json()) as Me).user : null;
}

/** The newest record of an action. */
async function lastAudit(admin: ApiClient, action: string) {
  return (await admin.get<AuditEvents>(`/audit?action=${action}`)).body.events[0]?.details;
}

async function userEmails(admin: ApiClient) {
  return (await admin.get<{ users: { id: string; email: string }[] }>("/users")).body.users;
}

describe("single sign-on", () => {
  let idp: TestIdp;
  let warren: WarrenHandle;
  let admin: ApiClient;
  let dba: Team;
  let ops: Team;

  beforeAll(async () => {
    ({ idp, warren, admin } = await warrenWithIdp({ WARREN_OIDC_ADMIN_GROUPS: "warren-admins" }));
    dba = (await admin.post<Team>("/teams", { name: "dba" })).body;
    ops = (await admin.post<Team>("/teams", { name: "ops" })).body;
    expect((await admin.patch<Team>(`/teams/${dba.id}`, { idpGroups: ["db-admins", "db-admins", " dba-oncall "] })).body.idpGroups).toEqual([
      "db-admins",
      "dba-oncall",
    ]);
    await admin.patch(`/teams/${ops.id}`, { idpGroups: ["ops"] });
  });
  afterAll(async () => {
    await warren?.dispose();
    await idp?.close();
  });

  it("creates the person at the first sign-in, from the ID token's claims, in the teams their groups map to", async () => {
    idp.people.set("carol-1", { email: "Carol@Example.com", email_verified: true, name: "Carol Jones", groups: ["db-admins", "staff"] });
    idp.signInAs("carol-1");
    const signedIn = await ssoSignIn(warren.url);
    expect(signedIn.error).toBeNull();
    expect(signedIn.location).toBe(`${warren.url}/tunnels`);
    expect(await me(warren, signedIn.session)).toMatchObject({ email: "carol@example.com", name: "Carol Jones", role: "user" });
    expect((await admin.get<Team>(`/teams/${dba.id}`)).body.members).toContainEqual(expect.objectContaining({ email: "carol@example.com", fromIdp: true }));
    expect((await admin.get<Team>(`/teams/${ops.id}`)).body.members).toEqual([]);
    expect(await lastAudit(admin, "user.created")).toMatchObject({ email: "carol@example.com", source: "oidc", subject: "carol-1" });
    expect(await lastAudit(admin, "auth.sign_in")).toMatchObject({ via: "oidc" });
  });

  it("makes group-given memberships and the admin role match the groups at each sign-in, leaving hand-made ones", async () => {
    idp.people.set("dan-1", { email: "dan@example.com", name: "Dan", groups: ["db-admins"] });
    idp.signInAs("dan-1");
    const first = await ssoSignIn(warren.url);
    const dan = (await me(warren, first.session))!;
    // A host only the dba team sees: Dan sees it while the team is his.
    const host = (await admin.post<{ id: string }>("/hosts", { name: "dba-only", address: "127.0.0.1", username: "x", generateKey: true, teamIds: [dba.id] }))
      .body;
    const seesHost = async (session: string | undefined) =>
      (await fetch(`${warren.url}/api/v1/hosts/${host.id}`, { headers: { cookie: session ?? "" } })).status === 200;
    expect(await seesHost(first.session)).toBe(true);
    expect((await admin.post(`/teams/${ops.id}/members`, { email: "dan@example.com" })).status).toBe(201);

    idp.people.set("dan-1", { email: "dan@example.com", name: "Dan", groups: ["warren-admins"] });
    const second = await ssoSignIn(warren.url);
    expect(await me(warren, second.session)).toMatchObject({ id: dan.id, role: "admin" });
    expect((await admin.get<Team>(`/teams/${dba.id}`)).body.members.map((m) => m.email)).not.toContain("dan@example.com");
    expect((await admin.get<Team>(`/teams/${ops.id}`)).body.members).toEqual([expect.objectContaining({ email: "dan@example.com", fromIdp: false })]);
    expect(await lastAudit(admin, "team.member_removed")).toMatchObject({ team: "dba", email: "dan@example.com", idpGroups: [] });
    expect(await lastAudit(admin, "user.role_changed")).toMatchObject({ email: "dan@example.com", from: "user", role: "admin" });

    idp.people.set("dan-1", { email: "dan@example.com", name: "Dan", groups: [] });
    const third = await ssoSignIn(warren.url);
    expect(await me(warren, third.session)).toMatchObject({ role: "user" });
    expect(await seesHost(third.session)).toBe(false);
    // The older sessions are the same person, now without the team: they lose the host too.
    expect(await seesHost(first.session)).toBe(false);
  });

  it("refuses a person disabled in Warren, and ends their sessions", async () => {
    idp.people.set("erin-1", { email: "erin@example.com", groups: [] });
    idp.signInAs("erin-1");
    const before = await ssoSignIn(warren.url);
    const erin = (await me(warren, before.session))!;
    expect((await admin.patch(`/users/${erin.id}`, { disabled: true })).status).toBe(200);
    expect(await me(warren, before.session)).toBeNull();
    const refused = await ssoSignIn(warren.url);
    expect(refused).toMatchObject({ session: undefined, error: "SsoDisabled" });
    expect(await lastAudit(admin, "auth.sign_in_failed")).toMatchObject({ email: "erin@example.com", reason: "account disabled", via: "oidc" });
    const page = await (await fetch(`${warren.url}/login?error=SsoDisabled`)).text();
    expect(page).toContain("Your Warren account is disabled");
  });

  it("does not hand a local account to whoever the provider says has its email", async () => {
    await warren.createUser({ email: "frank@example.com", password });
    idp.people.set("frank-idp", { email: "frank@example.com", email_verified: true });
    idp.signInAs("frank-idp");
    expect(await ssoSignIn(warren.url)).toMatchObject({ session: undefined, error: "SsoEmailTaken" });
    expect((await signInAttempt(warren.url, "frank@example.com", password)).session).toBeDefined();
  });

  it("needs an email in the ID token", async () => {
    idp.people.set("nomail-1", { name: "No Mail" });
    idp.signInAs("nomail-1");
    expect(await ssoSignIn(warren.url)).toMatchObject({ session: undefined, error: "SsoNoEmail" });
  });

  it("accepts a token the test re-signed without a change: what the forgeries below change is what refuses them", async () => {
    idp.people.set("control-1", { email: "control@example.com" });
    idp.signInAs("control-1");
    idp.tamperNextIdToken((claims) => claims);
    expect((await ssoSignIn(warren.url)).error).toBeNull();
  });

  const forgeries: [string, (claims: Record<string, unknown>) => Record<string, unknown>][] = [
    ["a wrong audience", (claims) => ({ ...claims, aud: "another-client" })],
    ["a wrong issuer", (claims) => ({ ...claims, iss: "http://127.0.0.1:1/not-the-issuer" })],
    ["a wrong nonce", (claims) => ({ ...claims, nonce: "not-the-nonce-warren-sent" })],
    ["an expiry in the past", (claims) => ({ ...claims, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })],
  ];
  it.each(forgeries)("refuses an ID token with %s, and creates no one", async (what, forge) => {
    const subject = `forged-${what.replace(/\W+/g, "-")}`;
    const email = `${subject}@example.com`;
    idp.people.set(subject, { email, email_verified: true, groups: ["warren-admins"] });
    idp.signInAs(subject);
    idp.tamperNextIdToken(forge);
    expect(await ssoSignIn(warren.url)).toMatchObject({ session: undefined, error: "OAuthCallback" });
    expect((await userEmails(admin)).map((u) => u.email)).not.toContain(email);
    // The same person with an untouched token signs in: the refusal was the forgery's.
    expect((await ssoSignIn(warren.url)).error).toBeNull();
  });
});

describe("single sign-on only, linking by verified email", () => {
  let idp: TestIdp;
  let warren: WarrenHandle;
  let admin: ApiClient;

  beforeAll(async () => {
    ({ idp, warren, admin } = await warrenWithIdp({ WARREN_OIDC_LINK_BY_EMAIL: "on", WARREN_PASSWORD_LOGIN: "off" }));
  });
  afterAll(async () => {
    await warren?.dispose();
    await idp?.close();
  });

  it("links a local account to the provider's verified email, and only a verified one", async () => {
    await warren.createUser({ email: "gina@example.com", password });
    idp.people.set("gina-unverified", { email: "gina@example.com", email_verified: false });
    idp.signInAs("gina-unverified");
    expect(await ssoSignIn(warren.url)).toMatchObject({ session: undefined, error: "SsoEmailUnverified" });

    idp.people.set("gina-1", { email: "gina@example.com", email_verified: true, name: "Gina" });
    idp.signInAs("gina-1");
    const linked = await ssoSignIn(warren.url);
    const users = await userEmails(admin);
    expect((await me(warren, linked.session))?.id).toBe(users.find((u) => u.email === "gina@example.com")?.id);
    expect(await lastAudit(admin, "user.idp_linked")).toMatchObject({ email: "gina@example.com", subject: "gina-1" });
  });

  it("hides password sign-in, which only admins keep as a way in when the provider is down", async () => {
    const page = await (await fetch(`${warren.url}/login`)).text();
    expect(page).toContain("Sign in with Test IdP");
    expect(page).not.toContain('name="password"');
    expect(page).toContain("Admin sign-in with a password");
    expect(await (await fetch(`${warren.url}/login?local`)).text()).toContain('name="password"');

    await warren.createUser({ email: "henry@example.com", password });
    const refused = await signInAttempt(warren.url, "henry@example.com", password);
    expect(refused).toMatchObject({ session: undefined, error: "Password sign-in is off on this server: sign in with Test IdP." });
    expect((await signInAttempt(warren.url, "admin@example.com", password)).session).toBeDefined();
  });
});
