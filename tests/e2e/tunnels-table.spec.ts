// The Tunnels table: the summary strip counts and filters, the search narrows
// the rows, sorting by expiry orders them, Reopen on a closed tunnel makes a
// new one that appears live, and Duplicate opens the form filled in from one.
// The nav's Tunnels link counts the viewer's tunnels that need attention, live.
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { hostInput } from "../harness/sshd";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

test("the table counts, searches, sorts, reopens a closed tunnel live and duplicates it into the form", async ({ page, sshd, warren }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "ann@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const ann = apiClient(warren.url, await warren.createToken("ann@example.com"));
  const hostId = (await admin.post<{ id: string }>("/hosts", { name: "lab-1", ...hostInput(sshd), policy: { maxTtlMinutes: 600 } })).body.id;
  const open = async (name: string, ttlMinutes: number) => {
    const body = { hostId, kind: "local", name, listen: { port: await freePortInRange() }, target: { host: "127.0.0.1", port: sshd.port }, ttlMinutes };
    const created = await ann.post<{ id: string }>("/tunnels", body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id;
  };
  const alpha = await open("alpha", 120);
  const beta = await open("beta", 30);
  const gamma = await open("gamma", 60);
  expect((await ann.delete(`/tunnels/${gamma}`)).status).toBe(200);

  await signIn(page, "ann@example.com", password);
  await page.getByRole("link", { name: "Show ended tunnels too" }).click();
  const mine = page.getByRole("region", { name: "Mine" });
  const rows = mine.getByTestId("tunnel-row");
  const row = (id: string) => mine.locator(`[data-tunnel-id="${id}"]`);
  await expect(rows).toHaveCount(3);
  await expect(row(alpha).getByTestId("status-badge")).toHaveText("active");
  await expect(row(beta).getByTestId("status-badge")).toHaveText("active");

  // The summary strip counts by status, and each count filters the table.
  const strip = page.getByRole("group", { name: "Tunnels by status" });
  await expect(page.getByTestId("summary-active")).toHaveText("2");
  for (const status of ["reconnecting", "failed", "waiting"]) await expect(page.getByTestId(`summary-${status}`)).toHaveText("0");
  const activeToggle = strip.getByRole("button", { name: "2 active" });
  await activeToggle.click();
  await expect(activeToggle).toHaveAttribute("aria-pressed", "true");
  await expect(rows).toHaveCount(2);
  await expect(row(gamma)).toHaveCount(0);
  await activeToggle.click();
  await expect(rows).toHaveCount(3);

  // The search keeps the rows whose name, endpoint, host or owner has every word.
  const search = page.getByRole("searchbox", { name: "Search tunnels" });
  await search.fill("beta");
  await expect(rows).toHaveCount(1);
  await expect(row(beta)).toBeVisible();
  await search.fill("lab-1 gamma");
  await expect(rows).toHaveCount(1);
  await expect(row(gamma)).toBeVisible();
  await search.fill("");
  await expect(rows).toHaveCount(3);

  // Sorting by expiry: soonest first, then latest first, as the header says.
  const expiry = mine.getByRole("columnheader", { name: "Expiry" });
  await expect(expiry).toHaveAttribute("aria-sort", "none");
  const order = () => rows.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-tunnel-id")));
  await expiry.getByRole("button").click();
  await expect(expiry).toHaveAttribute("aria-sort", "ascending");
  expect(await order()).toEqual([beta, gamma, alpha]);
  await expiry.getByRole("button").click();
  await expect(expiry).toHaveAttribute("aria-sort", "descending");
  expect(await order()).toEqual([alpha, gamma, beta]);

  // Only the ended one offers Reopen and Duplicate; an open one offers Close and Extend.
  await expect(row(alpha).getByRole("button", { name: "Reopen" })).toHaveCount(0);
  await expect(row(alpha).getByRole("button", { name: "Close" })).toBeVisible();
  await expect(row(alpha).getByRole("button", { name: "Extend" })).toBeVisible();
  await expect(row(alpha).getByRole("button", { name: "Copy command" })).toBeVisible();

  // Reopen: a new tunnel with gamma's spec appears, live, beside the closed one.
  await row(gamma).getByRole("button", { name: "Reopen" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Reopened as a new tunnel: gamma:" })).toBeVisible();
  await expect(rows).toHaveCount(4);
  const reopened = rows.filter({ hasText: "gamma:" }).filter({ hasNot: page.getByRole("button", { name: "Reopen" }) });
  await expect(reopened.getByTestId("status-badge")).toHaveText("active");
  await expect(page.getByTestId("summary-active")).toHaveText("3");
  await expect(row(gamma).getByTestId("status-badge")).toHaveText("closed");

  // Duplicate: the form, filled in from gamma; nothing is opened until it is sent.
  await row(gamma).getByRole("link", { name: "Duplicate" }).click();
  await expect(page).toHaveURL(`/tunnels/new?from=${gamma}`);
  await expect(page.getByLabel("Name (optional)", { exact: true })).toHaveValue("gamma");
  await expect(page.getByLabel("Target host", { exact: true })).toHaveValue("127.0.0.1");
  await expect(page.getByLabel("Target port", { exact: true })).toHaveValue(String(sshd.port));
  await expect(page.getByLabel("Close after (minutes)", { exact: true })).toHaveValue("60");
  expect((await ann.get<{ tunnels: unknown[] }>("/tunnels?status=all")).body.tunnels).toHaveLength(4);

  // At phone width each row stacks its cells: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/tunnels?show=all");
  await expect(rows).toHaveCount(4);
  await expect(mine.getByRole("columnheader", { name: "Expiry" })).toBeHidden();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
});

test("the nav's Tunnels link counts a tunnel that failed, live, until it opens again", async ({ page, sshd, warren }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "ann@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const ann = apiClient(warren.url, await warren.createToken("ann@example.com"));
  // Pinned to a host key the sshd does not have: a tunnel through it fails at the SSH handshake.
  const mispinned = { ...hostInput(sshd), hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };
  const hostId = (await admin.post<{ id: string }>("/hosts", { name: "lab-1", ...mispinned })).body.id;

  await signIn(page, "ann@example.com", password);
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Tunnels/ });
  const badge = page.getByTestId("tunnels-attention");
  await expect(link).toHaveAccessibleName("Tunnels");
  await expect(badge).toHaveCount(0);

  const created = await ann.post<{ id: string; status: string }>("/tunnels", {
    hostId,
    kind: "local",
    listen: { port: await freePortInRange() },
    target: { host: "127.0.0.1", port: sshd.port },
    ttlMinutes: 60,
  });
  expect(created.body.status, JSON.stringify(created.body)).toBe("failed");
  // Without a reload: the link's name says it in words, the badge (hidden from screen readers) in a number.
  await expect(link).toHaveAccessibleName("Tunnels, 1 needs attention");
  await expect(badge).toHaveText("1");
  await expect(badge).toHaveAttribute("aria-hidden", "true");
  await expect(page.locator(`[data-tunnel-id="${created.body.id}"]`).getByTestId("status-badge")).toHaveText("failed");

  // An admin trusts the key the host really has: the failed tunnel opens again, and the count goes.
  expect((await admin.patch(`/hosts/${hostId}`, { hostKeyFingerprint: sshd.hostKeyFingerprint })).status).toBe(200);
  await expect(page.locator(`[data-tunnel-id="${created.body.id}"]`).getByTestId("status-badge")).toHaveText("active");
  await expect(link).toHaveAccessibleName("Tunnels");
  await expect(badge).toHaveCount(0);
});
