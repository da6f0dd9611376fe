// A private web app in the browser, with nothing installed: the form offers
// web access and previews the app's address, "Open in browser" signs the
// person in through Warren and shows the app (a real one, behind a real sshd),
// whose forms, redirects and WebSockets work; the app never sees Warren's
// session; someone who may not use it gets the 403 page; closing the tunnel
// ends the page's WebSocket. Chromium resolves *.localhost to loopback.
import { apiClient } from "../harness/api-client";
import { startSshd, type SshdHandle } from "../harness/sshd";
import { startWebApp, type WebApp } from "../harness/web-app";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";
let sshd: SshdHandle;
let app: WebApp;

test.use({ warrenEnv: { WARREN_APPS_DOMAIN: "apps.localhost" } });

test.beforeAll(async () => {
  [sshd, app] = await Promise.all([startSshd(), startWebApp()]);
});
test.afterAll(async () => {
  await Promise.all([sshd?.dispose(), app?.close()]);
});

test("open a web app from the tunnel page: forms, redirects and WebSockets work, and nobody else gets in", async ({ page, warren, newVisitor }) => {
  await warren.createUser({ email: "ada@example.com", password, admin: true });
  await warren.createUser({ email: "bob@example.com", password });
  const api = apiClient(warren.url, await warren.createToken("ada@example.com"));
  await api.post("/hosts", { name: "intranet", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  const appUrl = `http://wiki.apps.localhost:${warren.port}`;

  await signIn(page, "ada@example.com", password);
  await expect(page).toHaveURL(/\/tunnels$/);
  await page.goto("/tunnels/new");
  await page.getByLabel("Name (optional)", { exact: true }).fill("wiki");
  await page.getByLabel("Target host", { exact: true }).fill("127.0.0.1");
  await page.getByLabel("Target port", { exact: true }).fill(String(app.port));
  await page.getByLabel("Open it in the browser (a web app)").check();
  await expect(page.getByTestId("web-url-preview")).toContainText(appUrl);
  await expect(page.getByTestId("tunnel-diagram")).toContainText("browser (you)");
  await page.getByRole("button", { name: "Open tunnel" }).click();
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");

  const [appPage] = await Promise.all([page.waitForEvent("popup"), page.getByTestId("open-in-browser").click()]);
  await expect(appPage.getByRole("heading", { name: "Internal app" })).toBeVisible();
  expect(new URL(appPage.url()).origin).toBe(appUrl);
  // The WebSocket echo, through the tunnel.
  await expect(appPage.locator("#echo")).toHaveText("echo: ping over the tunnel");
  // The app's script sees its own cookie and none of Warren's; the app's server received none either.
  await expect(appPage.locator("#cookies")).toHaveText("app-own=kept");
  const cookiesReceived = app.seen.map((request) => request.headers.cookie ?? "").join("; ");
  expect(cookiesReceived).not.toMatch(/next-auth|warren-app/);

  // A form posts its body intact.
  await appPage.locator("textarea[name=note]").fill("hello from the browser ✓");
  await appPage.getByRole("button", { name: "Send" }).click();
  await expect(appPage.locator("body")).toContainText("note=hello+from+the+browser+%E2%9C%93");
  // A redirect to the app's own host name lands on the app host.
  await appPage.goto(`${appUrl}/redirect`);
  await expect(appPage).toHaveURL(`${appUrl}/landed?from=redirect`);
  await expect(appPage.locator("body")).toHaveText("you are at /landed?from=redirect");

  // Someone signed in who is not a participant gets Warren's 403 page, never the app.
  const bob = await newVisitor();
  await signIn(bob, "bob@example.com", password);
  await expect(bob).toHaveURL(/\/tunnels$/);
  const seen = app.seen.length;
  await bob.goto(`${appUrl}/`);
  await expect(bob.getByRole("heading", { name: "You cannot open this app" })).toBeVisible();
  expect(app.seen.length).toBe(seen);

  // Closing the tunnel ends the page's WebSocket.
  await appPage.goto(`${appUrl}/`);
  await expect(appPage.locator("#socket")).toHaveText("open");
  await page.getByRole("button", { name: "Close tunnel" }).click();
  await page.getByRole("button", { name: "Yes, close it" }).click();
  await expect(page.getByTestId("status-badge").first()).toHaveText("closed");
  await expect(appPage.locator("#socket")).toHaveText("closed");
  await appPage.reload();
  await expect(appPage.getByRole("heading", { name: "This app's tunnel is not open" })).toBeVisible();
});
