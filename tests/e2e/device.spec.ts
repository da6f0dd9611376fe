// Signing a laptop in from a terminal, end to end: `warren login` (the client
// Warren serves, run with Node) prints a code and a link; the person opens
// it, signs in, checks the device and approves it in Chromium; the client
// finishes logged in; the account page lists the device and revokes it.
// And the other way: the code typed by hand, a typo first, then denied.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { downloadClient, type ClientRun, type LaptopClient } from "../harness/laptop-client";
import { expect, test } from "./fixtures";

const ada = { email: "ada@example.com", password: "correct horse battery" };

/** Starts `warren login` and waits for the link and code it prints. */
async function startLogin(laptop: LaptopClient, url: string, name: string) {
  const child = laptop.start(["login", url, "--name", name]);
  let stdout = "";
  let stderr = "";
  const done = new Promise<ClientRun>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const printed = await new Promise<{ code: string; link: string }>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const code = /approve code ([A-Z]{4}-[A-Z]{4})/.exec(stdout)?.[1];
      const link = /^ {2}(http\S+)$/m.exec(stdout)?.[1];
      if (code && link) resolve({ code, link });
    });
    child.once("close", () => reject(new Error(`login ended before printing a code: ${stdout}${stderr}`)));
  });
  return { ...printed, done };
}

async function signInHere(page: Page) {
  await page.getByLabel("Email", { exact: true }).fill(ada.email);
  await page.getByLabel("Password", { exact: true }).fill(ada.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a laptop signs in with the link it prints, approved in the browser, and is revoked from the account page", async ({ page, warren, capture }) => {
  await warren.createUser(ada);
  const laptop = await downloadClient(warren.url);
  try {
    const login = await startLogin(laptop, warren.url, "ada-laptop");
    expect(login.link).toBe(`${warren.url}/device?code=${login.code}`);

    // Signed out: sign-in first, then straight back to the device's request.
    await page.goto(login.link);
    await expect(page).toHaveURL(/\/login\?next=/);
    await signInHere(page);
    await expect(page).toHaveURL(`${warren.url}/device?code=${login.code}`);
    const request = page.getByTestId("device-request");
    await expect(request.getByTestId("device-code")).toHaveText(login.code);
    await expect(request.getByTestId("device-name")).toHaveText("ada-laptop");
    await expect(request).toContainText("127.0.0.1 (the address you are using now)");
    await expect(request.getByRole("note")).toContainText("Approve only a sign-in you started yourself");
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(violations.map((violation) => violation.id)).toEqual([]);
    await capture("device-request");

    await request.getByRole("button", { name: "Approve" }).click();
    await expect(request.getByTestId("device-outcome")).toContainText("Approved: ada-laptop is signed in as you");
    const run = await login.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Logged in to ${warren.url} as ${ada.email}, as device "ada-laptop"`);
    expect((await laptop.run(["tunnels"])).code).toBe(0);

    await page.getByRole("link", { name: "your account page" }).click();
    const devices = page.getByRole("region", { name: "Devices" });
    const row = devices.getByTestId("device-row").filter({ hasText: "ada-laptop" });
    await expect(row).toContainText("last used");
    await expect(row).toContainText("from 127.0.0.1");
    await capture("account-devices");
    await row.getByRole("button", { name: "Revoke ada-laptop" }).click();
    await row.getByRole("button", { name: "Yes, revoke" }).click();
    await expect(devices.getByRole("status")).toHaveText("Revoked ada-laptop: it is signed out.");
    await expect(devices.getByTestId("device-row")).toHaveCount(0);

    const refused = await laptop.run(["tunnels"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the API token is invalid, expired or revoked");
  } finally {
    laptop.dispose();
  }
});

test("the code typed by hand, a typo first, then denied: the terminal is told and stores nothing", async ({ page, warren }) => {
  await warren.createUser(ada);
  const laptop = await downloadClient(warren.url);
  try {
    await page.goto("/login");
    await signInHere(page);
    await expect(page).toHaveURL(/\/tunnels$/);
    const login = await startLogin(laptop, warren.url, "someone-elses");

    await page.goto("/device");
    const field = page.getByLabel("Code shown by your device");
    await field.fill("BCDF-GHJA");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(field).toHaveAccessibleDescription(/is not a code: eight letters, like BCDF-GHJK/);

    await field.fill(login.code.toLowerCase().replace("-", " "));
    await page.getByRole("button", { name: "Continue" }).click();
    const request = page.getByTestId("device-request");
    await expect(request.getByTestId("device-name")).toHaveText("someone-elses");
    await request.getByRole("button", { name: "Deny" }).click();
    await expect(request.getByTestId("device-outcome")).toHaveText("Denied: the device was told so, and nothing was signed in.");

    const run = await login.done;
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("warren: the sign-in was denied: nothing was stored");
    // The same link again: already decided, nothing to press.
    await page.goto(`/device?code=${login.code}`);
    await expect(page.getByTestId("device-outcome")).toHaveText("This sign-in was already denied.");
    await expect(page.getByRole("button", { name: "Approve" })).toHaveCount(0);
  } finally {
    laptop.dispose();
  }
});
