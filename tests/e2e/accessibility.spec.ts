// Every main page passes axe's WCAG 2 A/AA rules (contrast included) in light
// and dark, for an admin and for a team member (its 403 page too), with
// requests waiting, denied and extended, a tunnel shared and the bell's panel
// open, each kept as a screenshot at desktop and phone width (test-results/),
// and none scrolling sideways on a phone; and each kind of tunnel can be
// opened from the form by keyboard.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { apiClient, type ApiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { startSshd, type SshdHandle } from "../harness/sshd";
import type { WarrenHandle } from "../harness/warren";
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

/** Teams at work, through the API: a team with a member, a host that needs approval, and
 *  requests in each state an approver or a requester can see, plus a tunnel shared and joined. */
async function teamStates(warren: WarrenHandle, admin: ApiClient) {
  await warren.createUser({ email: "member@example.com", password });
  const member = apiClient(warren.url, await warren.createToken("member@example.com"));
  const team = (await admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "admin@example.com" })).body;
  await admin.post(`/teams/${team.id}/members`, { email: "member@example.com" });
  const host = (await admin.post<{ id: string }>("/hosts", { ...sshHost("payments-db"), teamIds: [team.id], policy: { approval: true } })).body;
  const request = async () =>
    (await member.post<{ id: string }>("/tunnels", { hostId: host.id, kind: "dynamic", reason: "on call", listen: { port: await freePortInRange() } })).body.id;
  const [pending, denied, extended] = [await request(), await request(), await request()];
  await admin.post(`/tunnels/${denied}/deny`, { reason: "use the read replica" });
  await admin.post(`/tunnels/${extended}/approve`, {});
  await member.post(`/tunnels/${extended}/extend`, { ttlMinutes: 240 });
  const shared = (
    await admin.post<{ id: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: await freePortInRange() }, teamId: team.id })
  ).body.id;
  expect((await member.post(`/tunnels/${shared}/join`)).status).toBe(200);
  return [pending, denied, extended, shared].map((id) => `/tunnels/${id}`);
}

const sshHost = (name: string) => ({ name, address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });

const PHONE = { width: 390, height: 844 };

/** Full-page screenshots at desktop and phone width, kept in test-results/; at
 *  phone width the page must also fit (no sideways scrolling). */
async function screenshots(page: Page, name: string) {
  const desktop = page.viewportSize();
  const file = (width: string) => test.info().outputPath(`${name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}-${width}.png`);
  await page.screenshot({ path: file("desktop"), fullPage: true });
  await page.setViewportSize(PHONE);
  try {
    // A chart follows the new width a frame or two later.
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), {
        message: `${name} scrolls sideways at phone width`,
      })
      .toBeLessThanOrEqual(0);
    await page.screenshot({ path: file("phone"), fullPage: true });
  } finally {
    if (desktop) await page.setViewportSize(desktop);
  }
}

async function expectPagesPass(page: Page, paths: string[], who: string) {
  for (const path of paths) {
    await page.goto(path);
    await expect(page.getByTestId("live-indicator")).toHaveText("live");
    await expectNoViolations(page, path);
    await screenshots(page, `${who} ${path}`);
  }
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`the main pages meet WCAG 2.1 AA in ${colorScheme} mode`, async ({ browser, warren, baseURL }) => {
    // Some thirty pages and states, each analysed by axe and photographed twice: minutes on a small, shared machine.
    test.setTimeout(360_000);
    const context = await browser.newContext({ colorScheme, baseURL });
    const page = await context.newPage();
    try {
      await page.goto("/setup");
      await expectNoViolations(page, "setup");
      await screenshots(page, `${colorScheme} setup`);
      await warren.createUser({ email: "admin@example.com", password, admin: true });
      const api = apiClient(warren.url, await warren.createToken("admin@example.com"));
      const host = (await api.post<{ id: string }>("/hosts", sshHost("db-1"))).body;
      const tunnel = (await api.post<{ id: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: await freePortInRange() } })).body;
      const teamPages = await teamStates(warren, api);
      await page.goto("/login");
      await expectNoViolations(page, "login");
      await screenshots(page, `${colorScheme} login`);
      await page.goto("/set-password#not-a-real-secret");
      await expectNoViolations(page, "set-password");
      await screenshots(page, `${colorScheme} set-password`);
      await signIn(page, "admin@example.com", password);
      await expect(page.getByRole("region", { name: "Mine" }).getByTestId("tunnel-row")).toHaveCount(2);
      await expect(page.getByTestId("request-row")).toHaveCount(2);
      await expectPagesPass(
        page,
        ["/tunnels", `/tunnels/${tunnel.id}`, ...teamPages, "/tunnels/new", "/account", "/device", "/audit", "/integrations", "/teams", "/users", "/hosts"],
        `${colorScheme} admin`,
      );
      // The bell's panel open, listing the requests that wait.
      await page.getByTestId("notification-bell").click();
      await expect(page.getByRole("dialog", { name: "Notifications" }).getByTestId("notification-item").first()).toBeVisible();
      await expectNoViolations(page, "the notification panel");
      await screenshots(page, `${colorScheme} notifications`);
      // The hosts table (a host whose tunnels block its Delete), a host's drawer with its editors open, the add drawer, and a deny reason asked for.
      await page.goto("/hosts");
      await expect(page.getByTestId("host-row")).toHaveCount(2);
      await expect(page.getByTestId("delete-blocked").first()).toBeVisible();
      await expectNoViolations(page, "/hosts");
      await page.getByRole("button", { name: "Edit payments-db" }).click();
      const drawer = page.getByRole("dialog", { name: "Edit payments-db" });
      await drawer.getByText("Visible to", { exact: true }).click();
      await drawer.getByText("Policy", { exact: true }).click();
      await expect(drawer.getByRole("checkbox", { name: "Tunnels need approval" })).toBeChecked();
      await expectNoViolations(page, "/hosts with a host's drawer and its editors open");
      await screenshots(page, `${colorScheme} host drawer`);
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Add host" }).click();
      await expect(page.getByRole("dialog", { name: "Add a host" })).toBeVisible();
      await expectNoViolations(page, "/hosts with the add drawer open");
      await page.goto("/tunnels");
      await page.getByTestId("request-row").first().getByRole("button", { name: "Deny…" }).click();
      await page.getByTestId("request-row").first().getByRole("button", { name: "Deny request" }).click();
      await expect(page.getByTestId("request-row").first().getByRole("textbox")).toHaveAttribute("aria-invalid", "true");
      await expectNoViolations(page, "/tunnels with a deny reason missing");
      await page.goto("/no-such-page");
      await expectNoViolations(page, "the 404 page");
      await screenshots(page, `${colorScheme} not-found`);

      // A member: the form saying the host needs approval, tunnels shared with them, their team.
      const member = await context.newPage();
      await context.clearCookies();
      await signIn(member, "member@example.com", password);
      await expect(member.getByRole("region", { name: "Shared with my teams" }).getByTestId("tunnel-row")).toHaveCount(1);
      // "/users": the 403 page a member gets for an admins' page.
      await expectPagesPass(member, ["/tunnels", "/teams", "/users", ...teamPages], `${colorScheme} member`);
      await member.goto("/tunnels/new");
      await member.getByLabel("SSH host", { exact: true }).selectOption({ label: `payments-db (${sshd.username}@${sshd.host}:${sshd.port})` });
      await expect(member.getByTestId("approval-notice")).toContainText("payments-db needs approval");
      await expectNoViolations(member, "/tunnels/new on a host that needs approval");
      await member.getByRole("radio", { name: /Only through warren connect/ }).check();
      await expect(member.getByTestId("tunnel-diagram")).toHaveAttribute("data-listener", "client");
      await expectNoViolations(member, "/tunnels/new with no port on the bastion");
    } finally {
      await context.close();
    }
  });
}

test("remote and dynamic tunnels open from the form, by keyboard, with the new port on the right machine", async ({ page, warren }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const api = apiClient(warren.url, await warren.createToken("admin@example.com"));
  // The remote tunnel's target is Warren itself, on the bastion's loopback: the host's policy must name it.
  await api.post("/hosts", { ...sshHost("gw"), policy: { targets: ["127.0.0.1"] } });
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
  await expect(page.getByText(`Connect to 127.0.0.1:${remotePort} from a program on gw itself`)).toBeVisible();

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
