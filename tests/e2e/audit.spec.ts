// The admin's audit page: new records appear live, filters and views narrow
// them, the chain verifies; other users cannot open it.
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

test("an admin sees a new tunnel's records appear live, narrows them, and verifies the chain", async ({ page, sshd, warren, capture }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  const host = (
    await admin.post<{ id: string }>("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
  ).body;

  await signIn(page, "admin@example.com", password);
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { name: "Audit" })).toBeVisible();
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  const rows = page.getByTestId("audit-row");
  const before = await rows.count();

  const tunnel = (await alice.post<{ id: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: await freePortInRange() } })).body;
  await expect(rows.filter({ hasText: "tunnel.requested" }).filter({ hasText: "alice@example.com" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "tunnel.opened" })).toHaveCount(1);
  expect(await rows.count()).toBeGreaterThan(before);
  await capture("audit");

  // What did alice open?
  await page.getByLabel("What a user opened:").selectOption("alice@example.com");
  await expect(page).toHaveURL(/actor=alice%40example.com/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(tunnel.id);

  // Everything on db-1 this week.
  await page.getByLabel("Who reached a host this week:").selectOption({ label: "db-1" });
  await expect(page).toHaveURL(new RegExp(`hostId=${host.id}`));
  await expect(rows.filter({ hasText: "host.created" })).toHaveCount(1);

  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("The chain is intact");
});

test("a user who is not an admin cannot open the audit page or its API", async ({ page, warren }) => {
  await warren.createUser({ email: "alice@example.com", password });
  await signIn(page, "alice@example.com", password);
  await expect(page).toHaveURL(/\/tunnels$/);
  await expect(page.getByRole("link", { name: "Audit" })).toHaveCount(0);
  expect((await page.goto("/audit"))?.status()).toBe(403);
  expect((await page.request.get("/api/v1/audit")).status()).toBe(403);
});
