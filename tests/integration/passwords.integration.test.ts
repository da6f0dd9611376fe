// Changing a password: a person's own from Warren's pages (the current one
// proves it; their other browser sessions end, the one they use goes on; a
// token cannot), and an admin's reset from the CLI (every session ends).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAttempt, signInCookie } from "@/tests/harness/sign-in";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

let warren: WarrenHandle;
const email = "alice@example.com";
const first = "correct horse battery";

beforeAll(async () => {
  warren = await startWarren();
  await warren.createUser({ email, password: first });
});

afterAll(async () => {
  await warren?.dispose();
});

const me = (cookie: string) => fetch(`${warren.url}/api/v1/me`, { headers: { cookie } }).then((response) => response.status);

function changePassword(headers: Record<string, string>, body: unknown) {
  return fetch(`${warren.url}/api/v1/me/password`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: warren.url, ...headers },
    body: JSON.stringify(body),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as { error?: { field?: string; message: string } } }));
}

describe("passwords", () => {
  it("are changed by their owner from a session, given the current one; other sessions end, this one goes on", async () => {
    const here = await signInCookie(warren.url, email, first);
    const elsewhere = await signInCookie(warren.url, email, first);
    const wrong = await changePassword({ cookie: here }, { current: "not it at all", password: "a much better secret" });
    expect([wrong.status, wrong.body.error]).toEqual([422, { code: "unprocessable_entity", field: "current", message: "is not your current password" }]);
    const weak = await changePassword({ cookie: here }, { current: first, password: "short" });
    expect([weak.status, weak.body.error?.field]).toEqual([422, "password"]);

    expect((await changePassword({ cookie: here }, { current: first, password: "a much better secret" })).status).toBe(200);
    expect(await me(here)).toBe(200);
    expect(await me(elsewhere)).toBe(401);
    expect((await signInAttempt(warren.url, email, first)).session).toBeUndefined();
    expect((await signInAttempt(warren.url, email, "a much better secret")).session).toBeDefined();

    const token = await warren.createToken(email);
    const byToken = await changePassword({ authorization: `Bearer ${token}` }, { current: "a much better secret", password: "yet another secret" });
    expect(byToken.status).toBe(403);
  });

  it("are reset by an admin from the CLI, ending every session, and a weak one is refused with why", async () => {
    const session = await signInCookie(warren.url, email, "a much better secret");
    const weak = await warren.cli(["user", "set-password", "--email", email, "--password-stdin"], "short\n");
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toContain("password");
    const reset = await warren.cli(["user", "set-password", "--email", email, "--password-stdin"], "reset by the admin\n");
    expect([reset.code, reset.stdout.trim()]).toEqual([0, `set a new password for ${email}: their browser sessions ended`]);
    expect(await me(session)).toBe(401);
    expect((await signInAttempt(warren.url, email, "reset by the admin")).session).toBeDefined();
  });
});
