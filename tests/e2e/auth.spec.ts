// Sign-in end to end: first run, sign-in and sign-out, generic failures, a
// user disabled from the CLI, and the headers every page is served with.
import { readFileSync } from "node:fs";
import type { Page, Response } from "@playwright/test";
import { expect, expectSignedIn, signIn, submitSetup, test } from "./fixtures";

const admin = { name: "Ada Admin", email: "ada@example.com", password: "correct-horse-battery" };
const user = { email: "bob@example.com", password: "bobs-long-password" };
const INVALID = "Invalid email or password.";

// Scoped to the page's <main>: Next's route announcer is also a role=alert.
function formAlert(page: Page) {
  return page.getByRole("main").getByRole("alert");
}

function expectSecurityHeaders(response: Response | null) {
  expect(response?.status()).toBe(200);
  const headers = response?.headers() ?? {};
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  // Production scripts run by nonce alone; an unsafe-* source would let an injected script run too.
  expect(csp).toMatch(/script-src [^;]*'nonce-/);
  expect(csp).not.toMatch(/script-src [^;]*'unsafe-(inline|eval)'/);
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
}

test("first run: / leads to setup, which creates the first admin and then is gone", async ({ page, newVisitor, capture }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Create the first admin" })).toBeVisible();
  await capture("setup");

  await submitSetup(page, { ...admin, password: "too-short" });
  const password = page.getByLabel("Password (10 characters or more)", { exact: true });
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription("must be at least 10 characters");
  await expect(page).toHaveURL(/\/setup$/);
  await capture("setup-password-too-short");

  await submitSetup(page, admin);
  await expectSignedIn(page, `${admin.email} (admin)`);
  await capture("tunnels");

  // Once a user exists, /setup is a 404 for everyone: the admin who just made it...
  expect((await page.goto("/setup"))?.status()).toBe(404);
  // ...and a visitor with no session at all.
  const visitor = await newVisitor();
  expect((await visitor.goto("/setup"))?.status()).toBe(404);
});

test.describe("reachable beyond loopback", () => {
  test.use({ warrenEnv: { WARREN_PUBLIC_URL: "http://warren.example.test" } });

  test("first run asks for the setup code from the data directory", async ({ page, warren }) => {
    await page.goto("/setup");
    const codeField = page.getByLabel("Setup code", { exact: true });
    await expect(codeField).toHaveAccessibleDescription(new RegExp(`the code is in ${warren.dataDir}/setup-code on the bastion`));
    await codeField.fill("AAAAA-BBBBB-CCCCC-DDDDD");
    await submitSetup(page, admin);
    await expect(codeField).toHaveAccessibleDescription(new RegExp(`^is not the code in ${warren.dataDir}/setup-code `));

    await codeField.fill(readFileSync(`${warren.dataDir}/setup-code`, "utf8").trim());
    await submitSetup(page, admin);
    await expect(page).toHaveURL(/\/tunnels$/);
    await expect(page.getByTestId("signed-in-as")).toHaveText(`${admin.email} (admin)`);
  });
});

test("signing out returns to /login and ends the session on the server", async ({ page, warren, capture }) => {
  await warren.createUser(user);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await capture("login");

  await signIn(page, user.email, user.password);
  await expectSignedIn(page, user.email);
  const cookies = await page.context().cookies();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto("/tunnels");
  await expect(page).toHaveURL(/\/login$/);

  // A copy of the old session cookie must not bring the session back.
  await page.context().addCookies(cookies);
  await page.goto("/tunnels");
  await expect(page).toHaveURL(/\/login$/);
});

test("a person changes their own password on the account page: a wrong current one is named at its field, the new one signs in", async ({ page, warren }) => {
  await warren.createUser(user);
  await signIn(page, user.email, user.password);
  await expectSignedIn(page, user.email);
  await page.goto("/account");
  await page.getByLabel("Current password", { exact: true }).fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill("a fresh long secret");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByLabel("Current password", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("is not your current password")).toBeVisible();
  await page.getByLabel("Current password", { exact: true }).fill(user.password);
  await page.getByLabel("New password", { exact: true }).fill("a fresh long secret");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your password is changed" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, user.email, "a fresh long secret");
  await expectSignedIn(page, user.email);
});

test("a wrong password and an unknown email get the same answer", async ({ page, warren, capture }) => {
  await warren.createUser(user);

  await signIn(page, user.email, "not-bobs-password");
  await expect(formAlert(page)).toHaveText(INVALID);
  await expect(page).toHaveURL(/\/login$/);
  await capture("login-failed");

  await signIn(page, "nobody@example.com", user.password);
  await expect(formAlert(page)).toHaveText(INVALID);
  await expect(page).toHaveURL(/\/login$/);
});

test("a user disabled with the CLI is signed out at once and cannot sign back in", async ({ page, warren }) => {
  await warren.createUser(user);
  await signIn(page, user.email, user.password);
  await expectSignedIn(page, user.email);

  const disabled = await warren.cli(["user", "disable", "--email", user.email]);
  expect(disabled.code, disabled.stderr).toBe(0);

  // Its live socket sends the browser to sign in within seconds (a reload of ours could race that
  // navigation); the server does the same for any page.
  await expect(page).toHaveURL(/\/login$/, { timeout: 20_000 });
  await page.goto("/tunnels");
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, user.email, user.password);
  await expect(formAlert(page)).toHaveText(INVALID);
  await expect(page).toHaveURL(/\/login$/);
});

test("pages carry the security headers and run under the CSP without violations", async ({ page, cspViolations }) => {
  expectSecurityHeaders(await page.goto("/setup"));
  await submitSetup(page, admin);
  await expectSignedIn(page, `${admin.email} (admin)`);

  expectSecurityHeaders(await page.goto("/tunnels"));
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Signing in again runs the login form's own script under the policy.
  expectSecurityHeaders(await page.goto("/login"));
  await signIn(page, admin.email, admin.password);
  await expectSignedIn(page, `${admin.email} (admin)`);

  expect(cspViolations).toEqual([]);
});
