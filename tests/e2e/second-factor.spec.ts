// A second factor in Chromium: set up an authenticator app on the Account
// page with a code computed here as the app would, sign in with a code, and
// confirm a host's deletion again (here with a recovery code) when the
// session's last proof is over 15 minutes old.
import path from "node:path";
import Database from "better-sqlite3";
import { apiClient } from "../harness/api-client";
import { totpAt as codeAt } from "../harness/totp";
import { expect, test } from "./fixtures";

const password = "correct horse battery";

test("an admin sets up an authenticator app, signs in with it, and confirms a host's deletion with a fresh code", async ({ page, warren }) => {
  await warren.createUser({ email: "ada@example.com", password, admin: true });
  const api = apiClient(warren.url, await warren.createToken("ada@example.com"));
  await api.post("/hosts", { name: "old-box", address: "127.0.0.1", username: "x", generateKey: true });

  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByLabel("Code from the app").fill(await codeAt(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const recoveryCodes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(recoveryCodes).toHaveCount(10);
  const recoveryCode = (await recoveryCodes.first().textContent())!;

  // Signing in now takes a code too.
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const code = page.getByLabel("Code from your authenticator app");
  await expect(code).toBeFocused();
  await code.fill("000000");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(code).toHaveAccessibleDescription(/^That code did not work/);
  await code.fill(await codeAt(secret, 1));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("ada@example.com (admin)");

  // Twenty minutes later (the session's last proof, moved back): deleting a host asks for a fresh code first.
  // The app's codes up to the next step are spent by now, so a recovery code answers.
  const db = new Database(path.join(warren.dataDir, "warren.db"));
  db.prepare("UPDATE AuthSession SET secondFactorAt = ?").run(new Date(Date.now() - 20 * 60_000).toISOString().replace("Z", "+00:00"));
  db.close();
  await page.getByRole("link", { name: "Hosts" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Code").fill(recoveryCode);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "Deleted old-box." })).toBeVisible();
});
