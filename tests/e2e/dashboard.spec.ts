// The dashboard in Chromium against a real Warren and a real sshd: add a
// host, request a local tunnel, watch it live, use it, close it; a busy
// port's reason; an idle time asked for in the form; and another user who
// sees none of it.
import net from "node:net";
import type { Page, WebSocket } from "@playwright/test";
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { fetchAll, startOrigin, type Origin } from "../harness/origin";
import { startSshd, type SshdHandle } from "../harness/sshd";
import { startWarren } from "../harness/warren";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";
let sshd: SshdHandle;
let origin: Origin;

test.beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin()]);
});
test.afterAll(async () => {
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

async function addHostThroughUi(page: Page) {
  await page.getByRole("link", { name: "Hosts" }).click();
  await expect(page.getByRole("heading", { name: "Hosts", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Add host" }).click();
  const drawer = page.getByRole("dialog", { name: "Add a host" });
  await drawer.getByLabel("Name", { exact: true }).fill("db-1");
  await drawer.getByLabel("Address", { exact: true }).fill(sshd.host);
  await drawer.getByLabel("Port", { exact: true }).fill(String(sshd.port));
  await drawer.getByLabel("Username", { exact: true }).fill(sshd.username);
  await drawer.getByRole("radio", { name: "Paste a private key" }).check();
  await drawer.getByLabel("Private key", { exact: true }).fill(sshd.privateKey);
  await drawer.getByRole("button", { name: "Add host" }).click();
  await expect(drawer).toHaveCount(0);
  const row = page.getByTestId("host-row").filter({ hasText: "db-1" });
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Test db-1" }).click();
  await expect(row.getByTestId("last-test")).toContainText("Test passed");
  await expect(row.getByText("recorded on first use")).toBeVisible();
  await expect(row.getByTitle(sshd.hostKeyFingerprint)).toBeVisible();
}

async function fillLocalTunnel(page: Page, port: number) {
  await page.getByRole("link", { name: "New tunnel" }).first().click();
  await page.getByRole("radio", { name: /Reach a private service/ }).check();
  await page.getByLabel("SSH host", { exact: true }).selectOption({ label: `db-1 (${sshd.username}@${sshd.host}:${sshd.port})` });
  await page.getByLabel("Listen port", { exact: true }).fill(String(port));
  await page.getByLabel("Target host", { exact: true }).fill("127.0.0.1");
  await page.getByLabel("Target port", { exact: true }).fill(String(origin.port));
}

test("a person adds a host, opens a local tunnel, watches it live, uses it and closes it", async ({ page, warren, capture }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await signIn(page, "admin@example.com", password);
  await addHostThroughUi(page);
  await capture("hosts");

  const port = await freePortInRange();
  await fillLocalTunnel(page, port);
  // The picture puts the new port on the bastion, and the command matches it.
  const diagram = page.getByTestId("tunnel-diagram");
  await expect(diagram).toHaveAttribute("data-listener", "bastion");
  await expect(diagram).toHaveAccessibleName(new RegExp(`127\\.0\\.0\\.1:${port} on the bastion`));
  await expect(page.getByTestId("ssh-command")).toContainText(`-L 127.0.0.1:${port}:127.0.0.1:${origin.port}`);
  await capture("new-tunnel");
  await page.getByRole("button", { name: "Open tunnel" }).click();

  await expect(page).toHaveURL(/\/tunnels\/[a-z0-9]+$/);
  const badge = page.getByTestId("status-badge").first();
  await expect(badge).toHaveText("active");

  // Live, without reloading: the SSH server dies and comes back.
  await sshd.kill();
  await expect(badge).toHaveText("reconnecting", { timeout: 30_000 });
  await sshd.restart();
  await expect(badge).toHaveText("active", { timeout: 60_000 });

  // Use it: the counters rise on the page by themselves.
  expect((await fetchAll("127.0.0.1", port)).equals(origin.payload)).toBe(true);
  await expect(page.getByTestId("bytes-in")).toHaveText("1.0 MiB");
  await expect(page.getByRole("cell", { name: "1.0 MiB" }).first()).toBeVisible({ timeout: 10_000 });
  await capture("tunnel-detail");

  await page.getByRole("link", { name: "Tunnels", exact: true }).click();
  await expect(page.getByTestId("tunnel-row")).toHaveCount(1);
  await expect(page.getByTestId("tunnel-row").getByTestId("bytes-in")).toHaveText("1.0 MiB");
  await capture("tunnels");

  await page.getByTestId("tunnel-row").getByRole("link").click();
  await page.getByRole("button", { name: "Close tunnel" }).click();
  await page.getByRole("button", { name: "Yes, close it" }).click();
  await expect(badge).toHaveText("closed");
  await expect(page.getByTestId("status-history")).toContainText("closed by admin@example.com");
  await page.getByRole("link", { name: "Tunnels", exact: true }).click();
  await expect(page.getByTestId("tunnel-row")).toHaveCount(0);
  await expect(page.getByText("You have no open tunnels.")).toBeVisible();
  const refused = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => resolve(false));
    socket.once("error", () => resolve(true));
  });
  expect(refused).toBe(true);
});

test("a busy port shows the server's reason next to the port field", async ({ page, warren, capture }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const api = apiClient(warren.url, await warren.createToken("admin@example.com"));
  await api.post("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  const port = await freePortInRange();
  const squatter = net.createServer().listen(port, "127.0.0.1");
  try {
    await signIn(page, "admin@example.com", password);
    await fillLocalTunnel(page, port);
    await page.getByRole("button", { name: "Open tunnel" }).click();
    const field = page.getByLabel("Listen port", { exact: true });
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText(`port ${port} is already in use on the bastion`)).toBeVisible();
    await expect(page).toHaveURL(/\/tunnels\/new$/);
    await capture("busy-port");
  } finally {
    squatter.close();
  }
});

test("the idle field: above the host's limit its error shows under it; within it, the tunnel's page counts down", async ({ page, warren }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const api = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const host = { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey };
  await api.post("/hosts", { ...host, policy: { idleMinutes: 30 } });
  await signIn(page, "admin@example.com", password);
  await fillLocalTunnel(page, await freePortInRange());
  const idle = page.getByLabel("Close when idle for (minutes)", { exact: true });
  await expect(idle).toHaveAccessibleDescription(/30 if left empty; at most 30, the host's limit\./);
  await idle.fill("31");
  await page.getByRole("button", { name: "Open tunnel" }).click();
  await expect(idle).toHaveAttribute("aria-invalid", "true");
  await expect(idle).toHaveAccessibleDescription(/^must be at most 30 minutes on db-1: it closes idle tunnels then/);
  await expect(page).toHaveURL(/\/tunnels\/new$/);

  await idle.fill("5");
  await page.getByRole("button", { name: "Open tunnel" }).click();
  await expect(page).toHaveURL(/\/tunnels\/[a-z0-9]+$/);
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  await expect(page.getByTestId("idle-left")).toHaveText(/^closes in (5 min|4 min \d+ s) unless used$/);
});

test("a tunnel with no port on the bastion: the form's choice, then the two lines to run on a laptop", async ({ page, warren, capture }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const api = apiClient(warren.url, await warren.createToken("admin@example.com"));
  await api.post("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  await signIn(page, "admin@example.com", password);
  await page.getByRole("link", { name: "New tunnel" }).first().click();
  await page.getByRole("radio", { name: /Only through warren connect — no port on the bastion/ }).check();
  await expect(page.getByLabel("Listen port", { exact: true })).toHaveCount(0);
  await page.getByLabel("Name (optional)", { exact: true }).fill("orders-db");
  await page.getByLabel("Target host", { exact: true }).fill("127.0.0.1");
  await page.getByLabel("Target port", { exact: true }).fill(String(origin.port));
  // The new port is the laptop's; the bastion opens none, and OpenSSH has no equivalent.
  await expect(page.getByTestId("tunnel-diagram")).toHaveAttribute("data-listener", "client");
  await expect(page.getByTestId("tunnel-diagram")).toHaveAccessibleName(/No port opens on the bastion/);
  await expect(page.getByText("None: OpenSSH has no tunnel without a port.", { exact: false })).toBeVisible();
  await page.getByRole("button", { name: "Open tunnel" }).click();

  await expect(page).toHaveURL(/\/tunnels\/[a-z0-9]+$/);
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  await expect(page.getByRole("heading", { name: `orders-db: warren connect → 127.0.0.1:${origin.port}` })).toBeVisible();
  await expect(page.getByTestId("fetch-client")).toHaveText(`curl -fsSO ${warren.url}/cli/warren.mjs`);
  await expect(page.getByTestId("connect-command")).toHaveText("node warren.mjs connect orders-db");
  await expect(page.getByTestId("ssh-command")).toHaveCount(0);
  await capture("tunnel-connect-only");
});

test("a form's submit button keeps the focus while its request runs, and pressing it again sends nothing", async ({ page, warren }) => {
  await warren.createUser({ email: "alice@example.com", password });
  await signIn(page, "alice@example.com", password);
  await expect(page).toHaveURL(/\/tunnels$/);
  await page.goto("/account");
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let posts = 0;
  await page.route("**/api/v1/tokens", async (route) => {
    if (route.request().method() === "POST") {
      posts++;
      await held;
    }
    await route.continue();
  });
  const name = page.getByLabel("Token name", { exact: true });
  await name.fill("deploy script");
  const submit = page.locator("form", { has: name }).locator("button[type=submit]");
  await submit.click();
  await expect(submit).toBeFocused();
  await expect(submit).toHaveAttribute("aria-disabled", "true");
  await page.keyboard.press("Enter");
  await name.press("Enter");
  release();
  await expect(page.getByRole("list", { name: "Your tokens" }).getByText("deploy script", { exact: true })).toBeVisible();
  await expect(submit).not.toHaveAttribute("aria-disabled");
  expect(posts).toBe(1);
});

test("another user sees none of the first user's tunnels or events", async ({ page, warren, newVisitor }) => {
  await warren.createUser({ email: "alice@example.com", password, admin: true });
  await warren.createUser({ email: "bob@example.com", password });
  const alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  const host = (
    await alice.post<{ id: string }>("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
  ).body;

  const framesOf = (target: Page) => {
    const frames: string[] = [];
    target.on("websocket", (ws: WebSocket) => ws.on("framereceived", ({ payload }) => frames.push(String(payload))));
    return frames;
  };
  const aliceFrames = framesOf(page);
  await signIn(page, "alice@example.com", password);
  const bob = await newVisitor();
  const bobFrames = framesOf(bob);
  await signIn(bob, "bob@example.com", password);
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  await expect(bob.getByTestId("live-indicator")).toHaveText("live");

  const port = await freePortInRange();
  const tunnel = (
    await alice.post<{ id: string }>("/tunnels", { hostId: host.id, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: origin.port } })
  ).body;
  await fetchAll("127.0.0.1", port);
  // Alice's open page learns of the new tunnel and its traffic by itself.
  await expect(page.getByTestId("tunnel-row")).toHaveCount(1);
  await expect(page.getByTestId("tunnel-row").getByTestId("bytes-in")).toHaveText("1.0 MiB");
  // The list may show the bytes from a refetch first; the stats event follows within the second.
  await expect.poll(() => aliceFrames.some((frame) => frame.includes("tunnel:stats"))).toBe(true);

  await expect(bob.getByText("You have no open tunnels.")).toBeVisible();
  expect(bobFrames.filter((frame) => frame.includes("tunnel:"))).toEqual([]);
  const response = await bob.goto(`/tunnels/${tunnel.id}`);
  expect(response?.status()).toBe(404);
  expect((await bob.request.get(`/api/v1/tunnels/${tunnel.id}`)).status()).toBe(404);
});

test("the page reconnects by itself after Warren restarts and resynchronises its list", async ({ page, warren }) => {
  await warren.createUser({ email: "alice@example.com", password, admin: true });
  const token = await warren.createToken("alice@example.com");
  await signIn(page, "alice@example.com", password);
  await expect(page.getByTestId("live-indicator")).toHaveText("live");

  await warren.stop();
  await expect(page.getByTestId("live-indicator")).toHaveText("reconnecting…");
  const again = await startWarren({ dataDir: warren.dataDir, port: warren.port });
  try {
    const api = apiClient(again.url, token);
    const host = (
      await api.post<{ id: string }>("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
    ).body;
    // Opened before the browser is back: no event carries it, the resync does.
    await api.post("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: await freePortInRange() } });
    await expect(page.getByTestId("live-indicator")).toHaveText("live", { timeout: 30_000 });
    await expect(page.getByTestId("tunnel-row")).toHaveCount(1);
  } finally {
    await again.stop();
  }
});
