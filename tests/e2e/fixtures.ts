// Playwright fixtures for Warren's end-to-end tests. Every test gets its own
// Warren (fresh data directory, free port), so tests can run in any order and
// the first-run flow always starts from an empty database.
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { startSshd, type SshdHandle } from "../harness/sshd";
import { startWarren, type WarrenHandle } from "../harness/warren";

export { expect };

type Fixtures = {
  /** Settings for the test's Warren, e.g. `test.use({ warrenEnv: { WARREN_APPS_DOMAIN: "apps.localhost" } })`. */
  warrenEnv: Record<string, string>;
  warren: WarrenHandle;
  /** Console messages about Content Security Policy violations in the test's own context. */
  cspViolations: string[];
  /** Saves a full-page screenshot of `target` (the test's page by default) as a named artifact. */
  capture: (name: string, target?: Page) => Promise<void>;
  /** A page in a brand-new browser context: a visitor with no cookies. */
  newVisitor: () => Promise<Page>;
};

/** One real sshd for the whole run (a worker's), for the specs whose hosts need one: specs share it, never its state. */
type WorkerFixtures = { sshd: SshdHandle };

export const test = base.extend<Fixtures, WorkerFixtures>({
  sshd: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; this one has none
    async ({}, use) => {
      const sshd = await startSshd();
      await use(sshd);
      await sshd.dispose();
    },
    { scope: "worker" },
  ],

  warrenEnv: [{}, { option: true }],

  warren: async ({ warrenEnv }, use, testInfo) => {
    const warren = await startWarren({ env: warrenEnv });
    await use(warren);
    // The server's log explains most failures that the page alone does not.
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach("warren.log", { body: warren.logs(), contentType: "text/plain" });
    }
    await warren.dispose();
  },

  baseURL: async ({ warren }, use) => {
    await use(warren.url);
  },

  cspViolations: async ({ context }, use) => {
    const violations: string[] = [];
    context.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) violations.push(message.text());
    });
    await use(violations);
  },

  capture: async ({ page }, use, testInfo) => {
    await use(async (name, target = page) => {
      const path = testInfo.outputPath(`${name}.png`);
      await target.screenshot({ path, fullPage: true });
      await testInfo.attach(name, { path, contentType: "image/png" });
    });
  },

  newVisitor: async ({ browser, baseURL }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Fills and submits the first-run form; the caller is already on /setup. */
export async function submitSetup(page: Page, admin: { name: string; email: string; password: string }) {
  await page.getByLabel("Name", { exact: true }).fill(admin.name);
  await page.getByLabel("Email", { exact: true }).fill(admin.email);
  await page.getByLabel("Password (10 characters or more)", { exact: true }).fill(admin.password);
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
}

/** The dashboard is showing, with `signedInAs` (e.g. "ada@example.com (admin)") in its header. */
export async function expectSignedIn(page: Page, signedInAs: string) {
  await expect(page).toHaveURL(/\/tunnels$/);
  await expect(page.getByRole("heading", { name: "Tunnels" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(signedInAs);
}
