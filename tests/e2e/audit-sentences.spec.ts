// Audit sentence rendering: each record reads as a sentence with names, not
// ids; a connection names whose tunnel carried it; the stored record is behind
// "Details"; on a phone the records are cards and the filters fold away.
import net from "node:net";
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { startTarget } from "../harness/tcp-target";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

/** One connection through the tunnel's port: a line out, its echo back, then closed. */
function echoOnce(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write("hello\n"));
    socket.once("data", (data) => {
      socket.end();
      resolve(data.toString());
    });
    socket.once("error", reject);
  });
}

test("audit sentence rendering: names instead of ids, the carrying tunnel's owner, JSON behind Details, cards at phone width", async ({
  page,
  sshd,
  warren,
}) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  const target = await startTarget();
  try {
    const host = (
      await admin.post<{ id: string }>("/hosts", { name: "lab-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
    ).body;
    await admin.post("/teams", { name: "ops", ownerEmail: "admin@example.com" });
    const port = await freePortInRange();
    const tunnel = (
      await alice.post<{ id: string }>("/tunnels", {
        hostId: host.id,
        kind: "local",
        name: "db",
        listen: { port },
        target: { host: "127.0.0.1", port: target.port },
      })
    ).body;
    await expect.poll(async () => (await alice.get<{ status: string }>(`/tunnels/${tunnel.id}`)).body.status).toBe("active");
    expect(await echoOnce(port)).toBe("hello\n");

    await signIn(page, "admin@example.com", password);
    await page.getByRole("link", { name: "Audit" }).click();
    await expect(page.getByTestId("live-indicator")).toHaveText("live");
    const rows = page.getByTestId("audit-row");
    await expect(rows.filter({ hasText: `admin@example.com added host lab-1 (${sshd.host}:${sshd.port})` })).toHaveCount(1);
    await expect(rows.filter({ hasText: "admin@example.com created team ops owned by admin@example.com" })).toHaveCount(1);
    const endpoint = `db: 127.0.0.1:${port} → 127.0.0.1:${target.port}`;
    await expect(rows.filter({ hasText: `alice@example.com opened local ${endpoint} via lab-1` })).toHaveCount(1);
    await expect(rows.filter({ hasText: `alice@example.com's tunnel ${endpoint} opened on lab-1` })).toHaveCount(1);
    // Sealed when the engine's journal is committed: it may come live, after the page loaded.
    const closed = rows.filter({ hasText: "connection.closed" });
    await expect(closed).toHaveCount(1);
    await expect(closed.getByTestId("audit-sentence")).toHaveText(
      new RegExp(`^Connection from 127\\.0\\.0\\.1:\\d+ closed after \\d+ s \\(6 B in, 6 B out\\), carried by alice@example\\.com's tunnel ${endpoint}$`),
    );
    await expect(closed.getByTestId("audit-family")).toHaveText("connection");

    // The stored record, behind Details.
    const json = closed.getByTestId("audit-json");
    await expect(json).toBeHidden();
    await closed.getByText("Details", { exact: true }).click();
    await expect(json).toBeVisible();
    await expect(json).toContainText('"action": "connection.closed"');
    await expect(json).toContainText(`"tunnelId": "${tunnel.id}"`);

    // The filter panel folds and unfolds: open on a wide screen, folded on a phone.
    const toggle = page.getByRole("button", { name: /^Filters/ });
    const filters = page.getByRole("form", { name: "Filters" });
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(filters).toBeHidden();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/audit");
    await expect(page.getByTestId("live-indicator")).toHaveText("live");
    await expect(rows.filter({ hasText: "connection.closed" })).toHaveCount(1);
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(filters).toBeHidden();
    await toggle.click();
    await expect(filters).toBeVisible();
    await expect(page.getByRole("table")).toHaveCount(0);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true);
    const card = await rows.first().boundingBox();
    expect(card!.width).toBeLessThanOrEqual(390);
  } finally {
    await target.close();
  }
});
