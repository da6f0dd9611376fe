// Markup in every free-text field Warren keeps (issue #8, hostile input):
// the first admin's name, API token names, the reason an admin gives when
// closing someone's tunnel, team names and a denial's reason, on the pages
// that show them and in the audit page's record details. Each must be
// stored as text and shown literally, and none of it may run: the payloads
// set a window flag and open a dialog if they ever execute. (Host names,
// usernames, addresses, targets and sign-in emails only accept plain
// characters: the API fuzzing covers that they refuse markup.)
import type { Page } from "@playwright/test";
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { expect, signIn, submitSetup, test } from "./fixtures";

const password = "correct horse battery";
const IMG = `<img src=x onerror="window.__xss=1;alert(1)">`;
const SCRIPT = `<script>window.__xss=1;alert(1)</script>`;
const SVG = `<svg onload=alert(1)>`;

/** Fails the test on any dialog, and tells whether a payload set its flag. */
function watchForScript(page: Page): () => Promise<void> {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return async () => {
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator("img[src=x], svg[onload]").count()).toBe(0);
  };
}

test("markup in names, token names, close and denial reasons and team names is shown as text and never runs", async ({ page, sshd, warren, newVisitor }) => {
  const nothingRan = watchForScript(page);

  // The first admin's name, through the first-run form.
  const name = `${IMG}${SCRIPT}`;
  await page.goto("/setup");
  await submitSetup(page, { name, email: "admin@example.com", password });
  await expect(page).toHaveURL(/\/tunnels$/);
  await page.goto("/account");
  await expect(page.getByText(`(${name})`)).toBeVisible();

  // Token names, through the account page.
  for (const tokenName of [IMG, SCRIPT, SVG]) {
    await page.getByLabel("Token name", { exact: true }).fill(tokenName);
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByRole("list", { name: "Your tokens" }).getByText(tokenName, { exact: true })).toBeVisible();
  }
  await page.reload();
  for (const tokenName of [IMG, SCRIPT, SVG]) await expect(page.getByRole("list", { name: "Your tokens" }).getByText(tokenName, { exact: true })).toBeVisible();
  await nothingRan();

  // The reason an admin gives for closing alice's tunnel, as alice sees it.
  await warren.createUser({ email: "alice@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  const host = await admin.post<{ id: string }>("/hosts", {
    name: "lab",
    address: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
  });
  const tunnel = await alice.post<{ id: string }>("/tunnels", { hostId: host.body.id, kind: "dynamic", listen: { port: await freePortInRange() } });
  expect(tunnel.status).toBe(201);
  const reason = `${SCRIPT}${SVG}`;
  expect((await admin.delete(`/tunnels/${tunnel.body.id}`, { reason })).status).toBe(200);

  const alicePage = await newVisitor();
  const nothingRanForAlice = watchForScript(alicePage);
  await signIn(alicePage, "alice@example.com", password);
  await expect(alicePage).toHaveURL(/\/tunnels$/);
  await alicePage.goto(`/tunnels/${tunnel.body.id}`);
  await expect(alicePage.getByText(reason, { exact: false }).first()).toBeVisible();
  await nothingRanForAlice();

  // A team's name, on the Teams page and on a tunnel shared with it; a denial's reason, as its requester reads it.
  const teamName = `${SVG}${IMG}`;
  const team = await admin.post<{ id: string }>("/teams", { name: teamName, ownerEmail: "admin@example.com" });
  expect(team.status).toBe(201);
  await admin.post(`/teams/${team.body.id}/members`, { email: "alice@example.com" });
  const shared = await alice.post<{ id: string }>("/tunnels", {
    hostId: host.body.id,
    kind: "dynamic",
    listen: { port: await freePortInRange() },
    teamId: team.body.id,
  });
  expect(shared.status).toBe(201);
  await alicePage.goto("/teams");
  await expect(alicePage.getByText(teamName, { exact: true }).first()).toBeVisible();
  await alicePage.goto(`/tunnels/${shared.body.id}`);
  await expect(alicePage.getByText(teamName, { exact: false }).first()).toBeVisible();
  await admin.patch(`/hosts/${host.body.id}`, { policy: { approval: true } });
  const request = await alice.post<{ id: string }>("/tunnels", {
    hostId: host.body.id,
    kind: "dynamic",
    reason: `${IMG} why`,
    listen: { port: await freePortInRange() },
  });
  const denial = `${IMG} no`;
  expect((await admin.post(`/tunnels/${request.body.id}/deny`, { reason: denial })).status).toBe(200);
  await alicePage.goto(`/tunnels/${request.body.id}`);
  await expect(alicePage.getByText(denial, { exact: false }).first()).toBeVisible();
  await nothingRanForAlice();

  // The audit page shows the same text in its records' details.
  await page.getByRole("link", { name: "Audit" }).click();
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "tunnel.closed" }).getByTestId("audit-sentence").getByText(reason, { exact: false }).first()).toBeVisible();
  await expect(rows.filter({ hasText: "token.created" }).getByTestId("audit-sentence").getByText(IMG, { exact: false }).first()).toBeVisible();
  await expect(rows.filter({ hasText: "team.created" }).getByTestId("audit-sentence").getByText(teamName, { exact: false }).first()).toBeVisible();
  await nothingRan();
});
