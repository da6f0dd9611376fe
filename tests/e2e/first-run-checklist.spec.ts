// The first-run checklist on the Tunnels page: an admin's four steps, each
// done as what is really there says (a host, a passed test, a tunnel of
// theirs opened, a teammate), gone once all are; someone who is not an admin
// gets only what they can do, and hiding it holds on any browser.
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { hostInput } from "../harness/sshd";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

test("an admin's checklist follows what is done, and goes when everything is", async ({ page, sshd, warren }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  await signIn(page, "admin@example.com", password);
  const checklist = page.getByRole("region", { name: "Get started" });
  const step = (id: string) => checklist.locator(`[data-step="${id}"]`);
  await expect(checklist.getByRole("listitem")).toHaveText([
    /To do: Add your first host/,
    /To do: Test its connection/,
    /To do: Open your first tunnel/,
    /To do: Invite a teammate/,
  ]);
  await expect(checklist).toContainText("0 of 4 done");
  await expect(step("add-host").getByRole("link", { name: "Add your first host" })).toHaveAttribute("href", "/hosts");
  await expect(step("invite").getByRole("link", { name: "Invite a teammate" })).toHaveAttribute("href", "/users");

  const hostId = (await admin.post<{ id: string }>("/hosts", { name: "lab-1", ...hostInput(sshd) })).body.id;
  await page.reload();
  await expect(step("add-host")).toHaveAttribute("data-done", "true");
  await expect(step("add-host").getByRole("link")).toHaveCount(0);
  await expect(step("test-host")).toHaveAttribute("data-done", "false");

  expect((await admin.post<{ ok: boolean }>(`/hosts/${hostId}/test`, {})).body.ok).toBe(true);
  const opened = await admin.post<{ status: string }>("/tunnels", {
    hostId,
    kind: "local",
    listen: { port: await freePortInRange() },
    target: { host: "127.0.0.1", port: sshd.port },
  });
  expect(opened.body.status).toBe("active");
  await page.reload();
  await expect(checklist).toContainText("3 of 4 done");
  await expect(step("invite")).toHaveAttribute("data-done", "false");

  await warren.createUser({ email: "bob@example.com", password });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Tunnels", exact: true })).toBeVisible();
  await expect(checklist).toHaveCount(0);
});

test("someone who is not an admin starts at opening a tunnel, and hides the checklist for good", async ({ page, sshd, warren, newVisitor }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "ann@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  await signIn(page, "ann@example.com", password);
  const checklist = page.getByRole("region", { name: "Get started" });
  // No host for her yet: no step she can take, so no checklist.
  await expect(page.getByText("No host is available to you yet")).toBeVisible();
  await expect(checklist).toHaveCount(0);

  await admin.post("/hosts", { name: "lab-1", ...hostInput(sshd) });
  await page.reload();
  await expect(checklist.getByRole("listitem")).toHaveText([/To do: Open your first tunnel/]);
  await checklist.getByRole("button", { name: "Dismiss checklist" }).click();
  await expect(checklist).toHaveCount(0);
  // The focus goes to the page's heading, not to nowhere.
  await expect(page.getByRole("heading", { name: "Tunnels", exact: true })).toBeFocused();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Tunnels", exact: true })).toBeVisible();
  await expect(checklist).toHaveCount(0);
  // Stored for her, not for this browser.
  const elsewhere = await newVisitor();
  await signIn(elsewhere, "ann@example.com", password);
  await expect(elsewhere.getByRole("heading", { name: "Tunnels", exact: true })).toBeVisible();
  await expect(elsewhere.getByRole("region", { name: "Get started" })).toHaveCount(0);
});
