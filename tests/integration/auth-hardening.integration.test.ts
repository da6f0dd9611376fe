// What the other suites left open about sign-in and secrets (issue #8): the
// session cookie's attributes, the sign-in rate limits against a real
// Warren (per account, then per address, the right password included), and
// no secret — password, private key, API token — in Warren's output, the
// audit trail or the engine's journal after a busy session.
import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair } from "@/lib/ssh/ssh-keys";
import { apiClient } from "@/tests/harness/api-client";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery";
let warren: WarrenHandle;

beforeAll(async () => {
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  for (const email of ["alice@example.com", "bob@example.com", "carol@example.com"]) await warren.createUser({ email, password });
});
afterAll(() => warren?.dispose());

type SignIn = { setCookies: string[]; error: string | null };

/** The browser's sign-in POST; answers every Set-Cookie and the error next-auth reports, if any. */
async function signIn(email: string, attempt: string): Promise<SignIn> {
  const csrf = await fetch(`${warren.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${warren.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; "), origin: warren.url },
    body: new URLSearchParams({ csrfToken, email, password: attempt, json: "true" }),
  });
  const { url } = (await response.json()) as { url: string };
  return { setCookies: response.headers.getSetCookie(), error: new URL(url).searchParams.get("error") };
}

const sessionCookie = (result: SignIn) => result.setCookies.find((cookie) => cookie.startsWith("next-auth.session-token="));

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Lax, for the whole site, and carries no readable claims", async () => {
    const result = await signIn("carol@example.com", password);
    const cookie = sessionCookie(result);
    expect(cookie).toBeDefined();
    const attributes = cookie!.split(";").map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/"]));
    // Plain http here (WARREN_PUBLIC_URL http://): Secure would make browsers drop it; https gets __Secure- and Secure.
    expect(attributes).not.toContain("secure");
    // An encrypted JWT (JWE, five parts), not a signed one whose payload anyone can read.
    const value = cookie!.split(";")[0]!.split("=")[1]!;
    expect(value.split(".")).toHaveLength(5);
    expect(Buffer.from(value.split(".")[0]!, "base64url").toString()).toContain('"enc"');
  });
});

describe("sign-in rate limits", () => {
  it("lock an account after 10 failures, even against its right password, without locking others out", async () => {
    for (let i = 0; i < 10; i++) expect((await signIn("alice@example.com", `wrong ${i}`)).error).toBe("CredentialsSignin");
    const locked = await signIn("alice@example.com", password);
    expect(sessionCookie(locked)).toBeUndefined();
    expect(locked.error).toMatch(/^Too many failed sign-ins\. Try again in 15 minutes\.$/);
    expect(sessionCookie(await signIn("bob@example.com", password))).toBeDefined();
  });

  it("lock an address after 30 failures over any accounts, and record each refusal", async () => {
    // alice's 10 failures already count against this address (her refusal while locked does not).
    for (let i = 0; i < 20; i++) await signIn(`nobody-${i}@example.com`, "guess");
    const refused = await signIn("bob@example.com", password);
    expect(sessionCookie(refused)).toBeUndefined();
    expect(refused.error).toMatch(/^Too many failed sign-ins/);
    const db = new Database(path.join(warren.dataDir, "warren.db"), { readonly: true });
    try {
      const reasons = db.prepare("SELECT details FROM AuditEvent WHERE action = 'auth.sign_in_failed'").all() as { details: string }[];
      const counts: Record<string, number> = {};
      for (const row of reasons) {
        const { reason } = JSON.parse(row.details) as { reason: string };
        counts[reason] = (counts[reason] ?? 0) + 1;
      }
      expect(counts).toEqual({ "wrong password": 10, "unknown email": 20, "rate limited": 2 });
    } finally {
      db.close();
    }
  });
});

describe("secrets", () => {
  it("never reach Warren's output, the audit trail, the journal or the CLI's answers", async () => {
    const key = generateKeyPair("secret-test").privateKey;
    const keyBody = key.split("\n")[1]!; // a line of the key's base64: no false alarm on headers
    const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
    const token = (await admin.post<{ token: string }>("/tokens", { name: "ci" })).body.token;
    expect(token).toMatch(/^wrn_/);
    const host = await admin.post<{ id: string }>("/hosts", { name: "secretive", address: "127.0.0.1", port: 1, username: "root", privateKey: key, passphrase: "hunter2-passphrase" });
    expect(host.status).toBe(201);
    await admin.post(`/hosts/${host.body.id}/test`);
    await fetch(`${warren.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}x` } });
    const exported = await fetch(`${warren.url}/api/v1/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text());
    const verify = await warren.cli(["audit", "verify"]);
    const secrets = [password, keyBody, token, token.slice(4), "hunter2-passphrase"];
    const db = new Database(path.join(warren.dataDir, "warren.db"), { readonly: true });
    let stored = "";
    try {
      stored = JSON.stringify(db.prepare("SELECT * FROM AuditEvent").all()) + JSON.stringify(db.prepare("SELECT * FROM Host").all());
    } finally {
      db.close();
    }
    const journal = readFileSync(path.join(warren.dataDir, "engine-journal.jsonl"), "utf8");
    for (const [where, text] of Object.entries({ logs: warren.logs(), export: exported, stored, journal, cli: verify.stdout + verify.stderr })) {
      for (const secret of secrets) expect(text.includes(secret), `${where} contains a secret`).toBe(false);
    }
    expect(exported.split("\n").length).toBeGreaterThan(5);
  });
});
