// A passkey as the second factor, through Chromium's virtual authenticator
// (WebAuthn over the DevTools protocol). Browsers allow WebAuthn on a secure
// context with a DNS name, so this Warren is at http://localhost.
import { startWarren } from "../harness/warren";
import { expect, test } from "./fixtures";

const password = "correct horse battery";

const atLocalhost = test.extend({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; this one has none
  warren: async ({}, use, testInfo) => {
    const warren = await startWarren({ host: "localhost" });
    await use(warren);
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach("warren.log", { body: warren.logs(), contentType: "text/plain" });
    await warren.dispose();
  },
});

atLocalhost("a person adds a passkey on the Account page and signs in with it after their password", async ({ page, warren }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await warren.createUser({ email: "kim@example.com", password });

  const signInWithPassword = async () => {
    await page.goto("/login");
    await page.getByLabel("Email", { exact: true }).fill("kim@example.com");
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  };
  await signInWithPassword();
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByLabel("Passkey name").fill("work laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("list", { name: "Your passkeys" }).getByText("work laptop", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(/\/login/);
  await signInWithPassword();
  // The account has only a passkey: no code is asked for.
  await expect(page.getByLabel("Code from your authenticator app")).toHaveCount(0);
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("kim@example.com");
  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("list", { name: "Your passkeys" })).not.toContainText("last used never");
});
