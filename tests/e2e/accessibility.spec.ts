// Every main page passes axe's WCAG 2 A/AA rules (contrast included) in light
// and dark, and each kind of tunnel can be opened from the form by keyboard.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { startSshd, type SshdHandle } from "../harness/sshd";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";
let sshd: SshdHandle;

test.beforeAll(async () => {
  sshd = await startSshd();
});
test.afterAll(async () => {
  await sshd?.dispose();
});

async function expectNoViolations(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(summary, `${what} has accessibility violations`).toEqual([]);
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`the main pages meet WCAG 2.1 AA in ${colorScheme} mode`, async ({ browser, warren, baseURL }) => {
    const context = await browser.newContext({ colorScheme, baseURL });
    const page = await context.newPage();
    try {
      await page.goto("/setup");
      await expectNoViolations(page, "setup");
      await warren.createUser({ email: "admin@example.com", password, admin: true });
      const api = apiClient(warren.url, await warren.createToken("admin@example.com"));
      const host = (await api.post<{ id: string }>("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })).body;
      const tunnel = (await api.post<{ id: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: await freePortInRange() } })).body;
      await page.goto("/login");
      await expectNoViolations(page, "login");
      await signIn(page, "admin@example.com", password);
      await expect(page.getByTestId("tunnel-row")).toHaveCount(1);
      for (const path of ["/tunnels", `/tunnels/${tunnel.id}`, "/tunnels/new", "/hosts", "/account", "/audit"]) {
        await page.goto(path);
        await expect(page.getByTestId("live-indicator")).toHaveText("live");
        await expectNoViolations(page, path);
      }
    } finally {
      await context.close();
    }
  });
}

test("remote and dynamic tunnels open from the form, by keyboard, with the new port on the right machine", async ({ page, warren }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const api = apiClient(warren.url, await warren.createToken("admin@example.com"));
  await api.post("/hosts", { name: "gw", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  await signIn(page, "admin@example.com", password);
  await expect(page).toHaveURL(/\/tunnels$/);

  // Remote: the SSH host listens.
  await page.goto("/tunnels/new");
  await page.getByRole("radio", { name: /Expose my service/ }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByTestId("tunnel-diagram")).toHaveAttribute("data-listener", "sshHost");
  const remotePort = await freePortInRange();
  await page.getByLabel("Listen address", { exact: true }).fill("127.0.0.1");
  await page.getByLabel("Listen port", { exact: true }).fill(String(remotePort));
  await page.getByLabel("Target host", { exact: true }).fill("127.0.0.1");
  await page.getByLabel("Target port", { exact: true }).fill(String(warren.port));
  await expect(page.getByTestId("ssh-command")).toContainText(`-R 127.0.0.1:${remotePort}:127.0.0.1:${warren.port}`);
  await page.getByLabel("Target port", { exact: true }).press("Enter");
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  await expect(page.getByText(`Connect to 127.0.0.1:${remotePort} on gw`)).toBeVisible();

  // Dynamic: Warren listens on the bastion, and there is no target to give.
  await page.goto("/tunnels/new");
  await page.getByRole("radio", { name: /Browse through the bastion/ }).check();
  await expect(page.getByTestId("tunnel-diagram")).toHaveAttribute("data-listener", "bastion");
  await expect(page.getByLabel("Target host", { exact: true })).toHaveCount(0);
  const socksPort = await freePortInRange();
  await page.getByLabel("Listen port", { exact: true }).fill(String(socksPort));
  await page.getByRole("button", { name: "Open tunnel" }).click();
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  await expect(page.getByText(`Set your SOCKS5 proxy to 127.0.0.1:${socksPort} on the bastion`)).toBeVisible();
});
