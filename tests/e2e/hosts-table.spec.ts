// The Hosts table against a real Warren and a real sshd: a host added in the
// drawer, its key recorded on first use by Test and then pinned; its port and
// user changed by keyboard alone in the Edit drawer (a bad port named at its
// field, the host key forgotten with the old address); Delete refused with
// its reason while a tunnel runs through the host, then done once it closed;
// and the rows stacked as cards at phone width.
import { apiClient } from "../harness/api-client";
import { freePort, freePortInRange } from "../harness/free-port";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

test("hosts are added, tested, edited by keyboard and deleted from the table, and stack at phone width", async ({ page, sshd, warren, capture }) => {
  test.setTimeout(180_000);
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  await signIn(page, "admin@example.com", password);
  await page.getByRole("link", { name: "Hosts" }).click();
  await expect(page.getByText("No hosts yet.")).toBeVisible();

  // Add: the drawer opens at its first field, and closes once a host with a pasted key is added.
  await page.getByRole("button", { name: "Add host" }).click();
  const addDrawer = page.getByRole("dialog", { name: "Add a host" });
  await expect(addDrawer.getByLabel("Name", { exact: true })).toBeFocused();
  await addDrawer.getByLabel("Name", { exact: true }).fill("lab-1");
  await addDrawer.getByLabel("Address", { exact: true }).fill(sshd.host);
  await addDrawer.getByLabel("Port", { exact: true }).fill(String(sshd.port));
  await addDrawer.getByLabel("Username", { exact: true }).fill(sshd.username);
  await addDrawer.getByRole("radio", { name: "Paste a private key" }).check();
  await addDrawer.getByLabel("Private key", { exact: true }).fill(sshd.privateKey);
  await capture("hosts-add-drawer");
  await addDrawer.getByRole("button", { name: "Add host" }).click();
  await expect(addDrawer).toHaveCount(0);
  await expect(page.getByTestId("toasts")).toContainText("Added lab-1.");

  const row = page.getByTestId("host-row").filter({ hasText: "lab-1" });
  await expect(row.getByRole("rowheader")).toContainText("lab-1");
  await expect(row).toContainText(`${sshd.username}@${sshd.host}:${sshd.port}`);
  await expect(row.getByTestId("last-test")).toHaveText("Not tested yet");
  await expect(row.getByTestId("host-link")).toHaveText("No SSH link: no open tunnels");
  await expect(row.getByText("none yet")).toBeVisible();

  // Test: every check passes, and the key the host offered is recorded, as such.
  await row.getByRole("button", { name: "Test lab-1" }).click();
  await expect(page.getByTestId("toasts")).toContainText("lab-1 works: all 5 checks passed.");
  await expect(row.getByTestId("last-test")).toContainText("Test passed");
  await expect(row.getByText("recorded on first use")).toBeVisible();
  await row.getByText("Checks of this test").click();
  await expect(row.getByRole("list", { name: "Connection checks for lab-1" })).toContainText(`recorded ${sshd.hostKeyFingerprint} on first use`);
  await capture("hosts-table");

  // Edit, by keyboard alone: from Test, Tab to Edit; the drawer opens at Name; a bad port is named at its field.
  const testButton = row.getByRole("button", { name: "Test lab-1" });
  const editButton = row.getByRole("button", { name: "Edit lab-1" });
  await testButton.focus();
  await page.keyboard.press("Tab");
  await expect(editButton).toBeFocused();
  await page.keyboard.press("Enter");
  const drawer = page.getByRole("dialog", { name: "Edit lab-1" });
  const name = drawer.getByLabel("Name", { exact: true });
  const username = drawer.getByLabel("Username", { exact: true });
  const port = drawer.getByLabel("Port", { exact: true });
  await expect(name).toBeFocused();
  await expect(drawer.getByTestId("host-key-fingerprint")).toHaveText(sshd.hostKeyFingerprint);
  await expect(drawer.getByText("recorded on first use")).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(username).toBeFocused();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("nobody");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(port).toBeFocused();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("70000");
  await page.keyboard.press("Enter");
  await expect(port).toHaveAttribute("aria-invalid", "true");
  await expect(port).toHaveAccessibleDescription("must be between 1 and 65535");
  await expect(port).toBeFocused();
  await capture("host-edit-drawer-error");
  const nowhere = await freePort();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(String(nowhere));
  await page.keyboard.press("Enter");
  await expect(drawer.getByRole("status").filter({ hasText: "Saved lab-1." })).toContainText("Its recorded host key went with the old address");
  await expect(drawer.getByText("none yet")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);
  await expect(editButton).toBeFocused();
  await expect(row).toContainText(`nobody@${sshd.host}:${nowhere}`);
  await expect(row.getByText("none yet")).toBeVisible();
  // The last test was of the old place: it is gone with it.
  await expect(row.getByTestId("last-test")).toHaveText("Not tested yet");

  // Tested there: nothing listens, and the row says so in words.
  await page.keyboard.press("Shift+Tab");
  await expect(testButton).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(row.getByTestId("last-test")).toContainText("Test failed");
  await expect(row.getByTestId("last-test")).toContainText(`Network: lab-1 (${sshd.host}:${nowhere}) refused the connection`);

  // Back to the real port and user, by keyboard again: the test passes and records the key on first use once more.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(name).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(sshd.username);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(String(sshd.port));
  await page.keyboard.press("Enter");
  await expect(drawer.getByRole("status").filter({ hasText: "Saved lab-1." })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(editButton).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Enter");
  await expect(row.getByTestId("last-test")).toContainText("Test passed");
  await expect(row.getByText("recorded on first use")).toBeVisible();

  // Pinned after comparing it with the host's own: shown as pinned, no longer "recorded on first use".
  await editButton.click();
  await drawer.getByRole("button", { name: "Pin this key" }).click();
  await drawer.getByRole("button", { name: "Yes, pin it" }).click();
  await expect(drawer.getByText("pinned", { exact: true })).toBeVisible();
  await expect(drawer.getByText("An admin gave this fingerprint")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(row.getByText("pinned", { exact: true })).toBeVisible();
  const audit = await admin.get<{ events: { action: string; details: Record<string, unknown> }[] }>("/audit?action=host.*");
  expect(audit.body.events.filter((event) => event.action === "host.updated").map((event) => event.details.forgotHostKey)).toContain(sshd.hostKeyFingerprint);

  // A tunnel through it: Delete says why it cannot, and the row follows the tunnel live.
  const hostId = await row.getAttribute("data-host-id");
  const tunnel = await admin.post<{ id: string; status: string }>("/tunnels", { hostId, kind: "dynamic", listen: { port: await freePortInRange() } });
  expect(tunnel.body.status).toBe("active");
  await expect(row.getByTestId("open-tunnels")).toHaveText("1", { timeout: 20_000 });
  await expect(row.getByTestId("host-link")).toHaveText("SSH link up");
  const blocked = row.getByRole("button", { name: "Delete" });
  await expect(blocked).toHaveAttribute("aria-disabled", "true");
  await expect(blocked).toHaveAccessibleDescription("Close its 1 open tunnel first.");
  // Still in the tab order, so a keyboard user reaches it and hears why; pressing it asks nothing.
  await blocked.focus();
  await page.keyboard.press("Enter");
  await expect(blocked).toBeFocused();
  await expect(row.getByRole("button", { name: "Yes, delete" })).toHaveCount(0);
  await capture("hosts-delete-blocked");

  // At phone width the table stacks: each value under its column's name, the header row hidden.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("columnheader", { name: "Health" })).toBeHidden();
  const health = row.locator('td[data-label="Health"]');
  const [cell, card] = await Promise.all([health.boundingBox(), row.boundingBox()]);
  expect(cell!.width).toBeGreaterThan(card!.width * 0.8);
  await capture("hosts-phone");
  await editButton.click();
  await expect(drawer).toBeVisible();
  await capture("host-edit-drawer-phone");
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Closed: Delete is offered, asks first, and the row goes.
  expect((await admin.delete(`/tunnels/${tunnel.body.id}`)).status).toBe(200);
  await expect(row.getByTestId("open-tunnels")).toHaveText("0", { timeout: 20_000 });
  await row.getByRole("button", { name: "Delete" }).click();
  await row.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Deleted lab-1.");
  await expect(page.getByTestId("host-row")).toHaveCount(0);
  await expect(page.getByText("No hosts yet.")).toBeVisible();
});
