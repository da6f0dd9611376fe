// The Users page: an admin adds a person, who sets their password with the
// one-time link and signs in; the admin sees and ends their session, makes a
// reset link, changes their role, disables and enables them. The person sees
// their own sessions on the Account page and ends the one they left elsewhere.
import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

/** A browser whose session was ended elsewhere: its live socket sends it to sign in within seconds (a
 *  reload of ours could race that navigation), and the server sends it there again for any page. */
async function expectSignedOut(browser: Page) {
  await expect(browser).toHaveURL(/\/login/, { timeout: 20_000 });
  await browser.goto("/tunnels");
  await expect(browser).toHaveURL(/\/login/);
}

test("an admin manages a person from the Users page, and the person their own sessions", async ({ page, warren, newVisitor }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await signIn(page, "admin@example.com", password);
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByLabel("Email", { exact: true }).fill("nia@example.com");
  await page.getByLabel("Name (optional)").fill("Nia Obi");
  await page.getByRole("button", { name: "Add person" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added nia@example.com." })).toBeVisible();
  const link = (await page.getByTestId("password-link").textContent())!.trim();
  expect(link).toMatch(new RegExp(`^${warren.url}/set-password#`));
  const row = page.getByRole("row").filter({ hasText: "nia@example.com" });
  await expect(row.getByRole("cell", { name: "never" })).toBeVisible();

  // Nia opens the link, chooses a password, and is signed in.
  const nia = await newVisitor();
  await nia.goto(link);
  await expect(nia).toHaveURL(/\/set-password$/);
  await nia.getByLabel("New password").fill("nias own long password");
  await nia.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(nia.getByTestId("signed-in-as")).toHaveText("nia@example.com");

  // A second browser of hers; on the Account page she ends it.
  const niaElsewhere = await newVisitor();
  await signIn(niaElsewhere, "nia@example.com", "nias own long password");
  await expect(niaElsewhere.getByTestId("signed-in-as")).toHaveText("nia@example.com");
  await nia.getByRole("link", { name: "Account" }).click();
  const sessions = nia.getByRole("list", { name: "Your browser sessions" });
  await expect(sessions.getByRole("listitem")).toHaveCount(2);
  await expect(sessions.getByText("(this browser)")).toBeVisible();
  await sessions.getByRole("listitem").filter({ hasNotText: "(this browser)" }).getByRole("button", { name: "End session" }).click();
  await nia.getByRole("button", { name: "Yes, end it" }).click();
  await expect(sessions.getByRole("listitem")).toHaveCount(1);
  await expectSignedOut(niaElsewhere);

  // The admin sees her one session and ends it.
  await page.reload();
  await page.getByText("Sessions of nia@example.com").click();
  const hers = page.getByRole("list", { name: "Sessions of nia@example.com" });
  await expect(hers.getByRole("listitem")).toHaveCount(1);
  await hers.getByRole("button", { name: "End session" }).click();
  await page.getByRole("button", { name: "Yes, end it" }).click();
  await expect(page.getByText("No browser is signed in.")).toBeVisible();
  await expectSignedOut(nia);

  // A role, a reset link, disabling and enabling.
  await row.getByLabel("Role of nia@example.com").selectOption("admin");
  await expect(page.getByRole("row").filter({ hasText: "nia@example.com" }).getByLabel("Role of nia@example.com")).toHaveValue("admin");
  await page.getByRole("button", { name: "Reset password of nia@example.com" }).click();
  await page.getByRole("button", { name: "Yes, make a link" }).click();
  await expect(page.getByTestId("password-link")).toContainText("/set-password#");
  await page.getByRole("button", { name: "Disable nia@example.com" }).click();
  await page.getByRole("button", { name: "Yes, disable" }).click();
  await expect(page.getByRole("row").filter({ hasText: "nia@example.com" }).getByRole("cell", { name: "Disabled" })).toBeVisible();
  await page.getByRole("button", { name: "Enable nia@example.com" }).click();
  await page.getByRole("button", { name: "Yes, enable" }).click();
  await expect(page.getByRole("row").filter({ hasText: "nia@example.com" }).getByRole("cell", { name: "Active" })).toBeVisible();
});
