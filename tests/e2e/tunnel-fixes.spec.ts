// Bugs a new user hit on the tunnel pages, each fixed and held here: with no
// host the empty list says what to do first, and nothing to approve shows no
// approvals section; an unknown page is Warren's own 404; a host that
// carries tunnels says so instead of offering Delete; Extend
// adds time and never shortens (and says "until … (+N h)" first); a remote
// tunnel's hint dials its host's address, or says when only that host itself
// can; "Show ended tunnels too" shows them without a reload; a denied
// extension's reason reaches its requester, and the waiting line goes; closing
// asks inline, and an admin's reason reaches the owner.
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { hostInput } from "../harness/sshd";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

test("extending adds time, the hints dial the right place, ended tunnels show at once, and a denied extension says why", async ({
  page,
  sshd,
  warren,
  newVisitor,
}) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "ann@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const ann = apiClient(warren.url, await warren.createToken("ann@example.com"));
  // With no host yet, the empty list does not offer to open a tunnel, and an admin with nothing to decide sees no approvals section.
  await signIn(page, "ann@example.com", password);
  await expect(page.getByText("No host is available to you yet")).toBeVisible();
  await expect(page.getByRole("link", { name: "Open one" })).toHaveCount(0);
  const adminPage = await newVisitor();
  await signIn(adminPage, "admin@example.com", password);
  await expect(adminPage.getByRole("link", { name: "add a host" })).toBeVisible();
  await expect(adminPage.getByRole("region", { name: "Waiting for your approval" })).toHaveCount(0);
  const lab = (await admin.post<{ id: string }>("/hosts", { name: "lab-1", ...hostInput(sshd), policy: { maxTtlMinutes: 2880 } })).body;
  const gated = (await admin.post<{ id: string }>("/hosts", { name: "lab-2", ...hostInput(sshd), policy: { approval: true } })).body;
  await page.reload();
  await expect(page.getByRole("link", { name: "Open one" })).toBeVisible();
  // An unknown page (or someone else's tunnel) is Warren's own 404, not Next's bare one.
  await page.goto("/tunnels/no-such-tunnel");
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  await expect(page.getByRole("main")).toHaveCount(1);
  const local = (
    await ann.post<{ id: string; expiresAt: string }>("/tunnels", {
      hostId: lab.id,
      kind: "local",
      target: { host: "127.0.0.1", port: sshd.port },
      ttlMinutes: 60,
    })
  ).body;

  // A host that carries a tunnel says so beside its Delete, before anyone tries.
  await adminPage.goto("/hosts");
  const hostRow = (name: string) => adminPage.getByTestId("host-row").filter({ hasText: name });
  await expect(hostRow("lab-1").getByTestId("delete-blocked")).toHaveText("Close its 1 open tunnel first.");
  await expect(hostRow("lab-1").getByRole("button", { name: "Delete" })).toHaveAttribute("aria-disabled", "true");
  await expect(hostRow("lab-2").getByRole("button", { name: "Delete" })).not.toHaveAttribute("aria-disabled");

  // Extend by 24 hours, then by 1 hour: 25 hours more, not 59 minutes left.
  await page.goto(`/tunnels/${local.id}`);
  await page.getByLabel("Keep it open for another").selectOption("1440");
  await expect(page.getByTestId("extension-preview")).toContainText("(+24 h)");
  await page.getByRole("button", { name: "Extend" }).click();
  await expect(page.getByTestId("status-history")).toContainText("extended by ann@example.com: 1440 more minutes");
  await page.getByLabel("Keep it open for another").selectOption("60");
  await page.getByRole("button", { name: "Extend" }).click();
  await expect(page.getByTestId("status-history")).toContainText("extended by ann@example.com: 60 more minutes");
  const extended = (await ann.get<{ expiresAt: string }>(`/tunnels/${local.id}`)).body;
  expect(Date.parse(extended.expiresAt) - Date.parse(local.expiresAt)).toBe(1500 * 60_000);
  await expect(page.getByTestId("time-left")).toContainText("1 d 1 h");

  // A remote tunnel on the host's loopback: run it there; never `nc lab-1`, Warren's label for the host.
  const port = await freePortInRange();
  const created = await ann.post<{ id: string }>("/tunnels", {
    hostId: lab.id,
    kind: "remote",
    listen: { address: "127.0.0.1", port },
    target: { client: true },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const remote = created.body;
  await page.goto(`/tunnels/${remote.id}`);
  await expect(page.getByText(`nc -v 127.0.0.1 ${port}   # run on lab-1`)).toBeVisible();
  await expect(page.getByText(`nc -v lab-1 ${port}`)).toHaveCount(0);

  // Closed, then shown by "Show ended tunnels too" without reloading; a closed tunnel says nothing of how to use it.
  await ann.delete(`/tunnels/${remote.id}`);
  await page.reload();
  await expect(page.getByTestId("status-badge").first()).toHaveText("closed");
  await expect(page.getByRole("heading", { name: "How to use it" })).toHaveCount(0);
  await page.goto("/tunnels");
  await expect(page.locator(`[data-tunnel-id="${remote.id}"]`)).toHaveCount(0);
  await page.getByRole("link", { name: "Show ended tunnels too" }).click();
  await expect(page.locator(`[data-tunnel-id="${remote.id}"]`)).toBeVisible();

  // An extension on a host that needs approval, denied: the requester reads why, live, and it stays in the history.
  const gatedTunnel = (
    await ann.post<{ id: string }>("/tunnels", { hostId: gated.id, kind: "local", reason: "on call", target: { host: "127.0.0.1", port: sshd.port } })
  ).body;
  await admin.post(`/tunnels/${gatedTunnel.id}/approve`, {});
  await page.goto(`/tunnels/${gatedTunnel.id}`);
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  await page.getByRole("button", { name: "Extend" }).click();
  await expect(page.getByTestId("request-state")).toContainText("was asked for");
  await admin.post(`/tunnels/${gatedTunnel.id}/deny`, { reason: "the lab closes tonight" });
  await expect(page.getByRole("main").getByRole("status").filter({ hasText: "extension denied by admin@example.com: the lab closes tonight" })).toBeVisible();
  await expect(page.getByTestId("request-state")).toHaveCount(0);
  await expect(page.getByTestId("status-history")).toContainText("extension of 60 minutes denied by admin@example.com: the lab closes tonight");

  // An admin closes it from the page, inline (no browser dialog), with a reason its owner reads live.
  await adminPage.goto(`/tunnels/${gatedTunnel.id}`);
  await adminPage.getByRole("button", { name: "Close tunnel" }).click();
  await adminPage.getByRole("textbox", { name: "Why, for its owner (optional)" }).fill("lab maintenance");
  await adminPage.getByRole("button", { name: "Yes, close it" }).click();
  await expect(page.getByTestId("status-badge").first()).toHaveText("closed");
  await expect(page.getByText("closed by admin@example.com: lab maintenance").first()).toBeVisible();
});
