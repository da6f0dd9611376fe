// Teams in the browser against a real Warren and a real sshd: the Teams
// page; a request on a host that needs approval, denied and then approved,
// watched live from both sides; and a tunnel shared with a team, joined by
// a member and taken back by its owner, checked with real connections.
import type { Page } from "@playwright/test";
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { fetchAll, startOrigin, type Origin } from "../harness/origin";
import { startSshd, type SshdHandle } from "../harness/sshd";
import type { WarrenHandle } from "../harness/warren";
import { expect, expectSignedIn, signIn, test } from "./fixtures";

const password = "correct horse battery";
let sshd: SshdHandle;
let origin: Origin;

test.beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin()]);
});
test.afterAll(async () => {
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

/** An admin, a team owner and a member of the owner's team; a host given to that team. */
async function team(warren: WarrenHandle, name: string, host: { name: string; policy?: Record<string, unknown> }) {
  for (const who of ["admin", "owner", "member"]) await warren.createUser({ email: `${who}@example.com`, password, admin: who === "admin" });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const teamId = (await admin.post<{ id: string }>("/teams", { name, ownerEmail: "owner@example.com" })).body.id;
  expect((await admin.post(`/teams/${teamId}/members`, { email: "member@example.com" })).status).toBe(201);
  const created = await admin.post<{ id: string }>("/hosts", {
    name: host.name,
    address: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    teamIds: [teamId],
    policy: host.policy,
  });
  expect(created.status).toBe(201);
}

/** Whether 1 MiB from the origin comes back through `port`, connecting from 127.0.0.1. */
async function carries(port: number): Promise<boolean> {
  const received = await fetchAll("127.0.0.1", port).catch(() => Buffer.alloc(0));
  if (received.length > 0 && !received.equals(origin.payload)) throw new Error(`got ${received.length} bytes that are not the origin's`);
  return received.length > 0;
}

/** Signs in and waits for the dashboard, so the next navigation is theirs. */
async function signInAs(page: Page, who: "admin" | "owner" | "member") {
  await signIn(page, `${who}@example.com`, password);
  await expectSignedIn(page, `${who}@example.com${who === "admin" ? " (admin)" : ""}`);
}

async function fillLocalTunnel(page: Page, hostName: string, port: number) {
  await page.goto("/tunnels/new");
  await page.getByRole("radio", { name: /Reach a private service/ }).check();
  await page.getByLabel("SSH host", { exact: true }).selectOption({ label: `${hostName} (${sshd.username}@${sshd.host}:${sshd.port})` });
  await page.getByLabel("Listen port", { exact: true }).fill(String(port));
  await page.getByLabel("Target host", { exact: true }).fill("127.0.0.1");
  await page.getByLabel("Target port", { exact: true }).fill(String(origin.port));
}

test("an admin creates a team, its owner invites someone who accepts, promotes people, errors show at the field, a member leaves", async ({
  page,
  warren,
  newVisitor,
  capture,
}) => {
  test.slow(); // three people's browsers through the whole flow
  for (const who of ["admin", "owner", "member"]) await warren.createUser({ email: `${who}@example.com`, password, admin: who === "admin" });
  await signInAs(page, "admin");
  await page.getByRole("link", { name: "Teams" }).click();
  await expect(page.getByText("No teams yet.")).toBeVisible();
  await page.getByLabel("Team name", { exact: true }).fill("payments");
  await page.getByLabel("First owner's email (optional)", { exact: true }).fill("nobody@example.com");
  await page.getByRole("button", { name: "Create team" }).click();
  const ownerField = page.getByLabel("First owner's email (optional)", { exact: true });
  await expect(ownerField).toHaveAttribute("aria-invalid", "true");
  await expect(ownerField).toHaveAccessibleDescription("no user with email nobody@example.com");
  await expect(ownerField).toBeFocused();
  await ownerField.fill("owner@example.com");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByRole("article", { name: "payments" })).toBeVisible();

  // The owner, in their own browser, sees the team and the Hosts page it opens to them.
  const owner = await newVisitor();
  await signInAs(owner, "owner");
  await expect(owner.getByRole("link", { name: "Hosts" })).toBeVisible();
  await owner.getByRole("link", { name: "Teams" }).click();
  const card = owner.getByRole("article", { name: "payments" });
  await expect(card).toContainText("You are an owner");
  await card.getByLabel("Email", { exact: true }).fill("owner@example.com");
  await card.getByRole("button", { name: "Add to team" }).click();
  await expect(card.getByLabel("Email", { exact: true })).toHaveAccessibleDescription("owner@example.com is already in payments");
  // Someone who shares no other team with the owner is only invited: nothing changes until they accept.
  await card.getByLabel("Email", { exact: true }).fill("member@example.com");
  await card.getByRole("button", { name: "Add to team" }).click();
  await expect(
    owner
      .getByRole("status")
      .filter({ hasText: "Invited member@example.com to payments as member: if an account has that email, its owner joins once they accept." }),
  ).toBeVisible();
  await expect(card.getByTestId("pending-invitation")).toContainText("member@example.com as member, invited by owner@example.com");
  await expect(card.getByRole("row", { name: /member@example\.com/ })).toHaveCount(0);

  // The invited person sees the invitation on their Teams page and accepts it.
  const member = await newVisitor();
  await signInAs(member, "member");
  await member.getByRole("link", { name: "Teams" }).click();
  await expect(member.getByText("You are in no team yet.")).toBeVisible();
  const invitation = member.getByTestId("invitation");
  await expect(invitation).toContainText("owner@example.com invites you to payments as member.");
  await capture("team-invitation", member);
  await invitation.getByRole("button", { name: "Accept the invitation to payments" }).click();
  await expect(member.getByRole("status").filter({ hasText: "You joined payments as member." })).toBeVisible();
  await expect(member.getByRole("article", { name: "payments" })).toContainText("You are a member");
  await expect(member.getByTestId("invitation")).toHaveCount(0);
  await owner.reload();
  await expect(card.getByRole("row", { name: /member@example\.com/ })).toBeVisible();
  await expect(card.getByTestId("pending-invitation")).toHaveCount(0);
  await capture("teams", owner);

  // The only owner cannot step down; promoting someone else first lets them.
  await card.getByLabel("Role of owner@example.com").selectOption("member");
  await expect(card.getByRole("alert")).toHaveText("payments would have no owner left: make someone else owner first");
  await expect(card.getByLabel("Role of owner@example.com")).toHaveValue("owner");
  await card.getByLabel("Role of member@example.com").selectOption("owner");
  await expect(owner.getByRole("status").filter({ hasText: "member@example.com is now an owner of payments." })).toBeVisible();
  await card.getByLabel("Role of member@example.com").selectOption("member");
  await expect(owner.getByRole("status").filter({ hasText: "member@example.com is now a member of payments." })).toBeVisible();

  // Renaming to a taken name is refused at the field.
  await page.getByLabel("Team name", { exact: true }).fill("search");
  await page.getByRole("button", { name: "Create team" }).click();
  await card.getByText("Rename", { exact: true }).click();
  await card.getByLabel("New name", { exact: true }).fill("search");
  await card.getByRole("button", { name: "Rename team" }).click();
  await expect(card.getByLabel("New name", { exact: true })).toHaveAccessibleDescription("a team named search already exists");
  await expect(card.getByLabel("New name", { exact: true })).toBeFocused();

  // An admin gives the team a host: its owner may test it and choose which of their teams see it, nothing else.
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const teamId = (await admin.get<{ teams: { id: string; name: string }[] }>("/teams")).body.teams.find((t) => t.name === "payments")!.id;
  const added = await admin.post("/hosts", {
    name: "payments-2",
    address: sshd.host,
    port: sshd.port,
    username: "deploy",
    generateKey: true,
    teamIds: [teamId],
  });
  expect(added.status).toBe(201);
  await owner.getByRole("link", { name: "Hosts" }).click();
  const hostRow = owner.getByTestId("host-row").filter({ hasText: "payments-2" });
  await expect(hostRow).toContainText("for members of payments");
  await expect(hostRow.getByRole("button", { name: "Test payments-2" })).toBeVisible();
  await expect(hostRow.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await expect(owner.getByRole("button", { name: "Add host" })).toHaveCount(0);
  await capture("hosts-for-team-owner", owner);
  await hostRow.getByRole("button", { name: "Edit payments-2" }).click();
  const drawer = owner.getByRole("dialog", { name: "Edit payments-2" });
  await expect(drawer).toHaveAccessibleDescription(/Its address, credentials, policy and host key are for admins to change\.$/);
  await expect(drawer.getByTestId("assignment-summary")).toHaveText("members of payments");
  await expect(drawer.getByTestId("policy-summary")).toBeVisible();
  await expect(drawer.getByRole("form", { name: "Connection to payments-2" })).toHaveCount(0);
  await expect(drawer.locator("summary")).toHaveCount(1); // the assignment's; no policy form, no key
  await capture("host-drawer-for-team-owner", owner);
  await owner.keyboard.press("Escape");
  await owner.goto("/teams");

  // A member sees the team without the owner's controls, and leaves it; they never get the Hosts page.
  await expect(member.getByRole("link", { name: "Hosts" })).toHaveCount(0);
  expect((await member.goto("/hosts"))?.status()).toBe(403);
  await member.goto("/teams");
  const theirs = member.getByRole("article", { name: "payments" });
  await expect(theirs).toContainText("You are a member");
  await expect(theirs.getByRole("combobox")).toHaveCount(0);
  await expect(theirs.getByRole("button", { name: "Add to team" })).toHaveCount(0);
  await theirs.getByRole("button", { name: "Leave team" }).click();
  await theirs.getByRole("button", { name: "Yes, leave" }).click();
  await expect(member.getByText("You are in no team yet.")).toBeVisible();
  await owner.reload();
  await expect(card.getByRole("row", { name: /member@example\.com/ })).toHaveCount(0);

  // The admin deletes the team.
  await page.reload();
  await page.getByRole("article", { name: "payments" }).getByRole("button", { name: "Delete team" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted payments." })).toBeVisible();
  await expect(page.getByRole("article")).toHaveCount(1);
});

test("a request on a host that needs approval appears live for the team owner, who denies it and then approves another", async ({
  page,
  warren,
  newVisitor,
  capture,
}) => {
  await team(warren, "payments", { name: "payments-db", policy: { approval: true } });
  await signInAs(page, "owner");
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  const approvals = page.getByRole("region", { name: "Waiting for your approval" });
  // Nothing waits yet: no section, until a request arrives.
  await expect(approvals).toHaveCount(0);

  const member = await newVisitor();
  await signInAs(member, "member");
  await fillLocalTunnel(member, "payments-db", await freePortInRange());
  // Said before sending.
  await expect(member.getByTestId("approval-notice")).toHaveText("payments-db needs approval: your request will wait for a team owner or an admin.");
  // Approvers read why: the request says it.
  await member.getByRole("button", { name: "Request tunnel" }).click();
  const why = member.getByLabel("Why do you need it?");
  await expect(why).toHaveAttribute("aria-invalid", "true");
  await expect(member.getByText("is required: payments-db needs approval, and approvers read why you need it")).toBeVisible();
  await why.fill("incident 4: the replica is behind");
  await member.getByRole("button", { name: "Request tunnel" }).click();
  await expect(member).toHaveURL(/\/tunnels\/[a-z0-9]+$/);
  await expect(member.getByTestId("status-badge").first()).toHaveText("pending approval");
  await expect(member.getByRole("heading", { name: "Waiting for approval" })).toBeVisible();
  await expect(member.getByTestId("live-indicator")).toHaveText("live");

  // The owner's open page shows it without a reload, and the deny needs a reason.
  const request = approvals.getByTestId("request-row");
  await expect(request).toHaveCount(1);
  await expect(request).toContainText("member@example.com asks to open a local tunnel");
  // The quotes are the <q> element's, drawn by CSS: not in the text.
  await expect(request.getByTestId("request-reason")).toHaveText("Why: incident 4: the replica is behind");
  await capture("approval-waiting");
  await capture("request-pending", member);
  // By keyboard: Escape puts the reason away and focus back on "Deny…".
  const denyButton = request.getByRole("button", { name: "Deny…" });
  await denyButton.press("Enter");
  const reason = request.getByLabel("Reason for denying (the requester reads it)");
  await expect(reason).toBeFocused();
  await reason.press("Escape");
  await expect(denyButton).toBeFocused();
  await denyButton.press("Enter");
  await reason.press("Enter");
  await expect(reason).toHaveAttribute("aria-invalid", "true");
  await expect(reason).toBeFocused();
  await reason.fill("use the read replica");
  await reason.press("Enter");
  await expect(approvals.getByTestId("request-row")).toHaveCount(0);

  // The requester sees the outcome and the reason live.
  await expect(member.getByTestId("status-badge").first()).toHaveText("denied");
  await expect(member.getByTestId("request-state")).toContainText("denied by owner@example.com: use the read replica");
  // Never opened, so nothing about traffic or connections.
  await expect(member.getByRole("heading", { name: "Traffic" })).toHaveCount(0);
  await capture("request-denied", member);

  // A request withdrawn leaves the owner's list by itself.
  await fillLocalTunnel(member, "payments-db", await freePortInRange());
  await member.getByLabel("Why do you need it?").fill("a second look");
  await member.getByRole("button", { name: "Request tunnel" }).click();
  await expect(member.getByTestId("status-badge").first()).toHaveText("pending approval");
  await expect(approvals.getByTestId("request-row")).toHaveCount(1);
  await member.getByRole("button", { name: "Withdraw request" }).click();
  await member.getByRole("button", { name: "Yes, withdraw" }).click();
  await expect(member.getByTestId("status-badge").first()).toHaveText("closed");
  await expect(approvals.getByTestId("request-row")).toHaveCount(0);

  // A second request, approved: it opens and carries bytes.
  const port = await freePortInRange();
  await fillLocalTunnel(member, "payments-db", port);
  await member.getByLabel("Why do you need it?").fill("the migration");
  await member.getByRole("button", { name: "Request tunnel" }).click();
  await expect(member.getByTestId("status-badge").first()).toHaveText("pending approval");
  await expect(member.getByTestId("live-indicator")).toHaveText("live");
  await expect(approvals.getByTestId("request-row")).toHaveCount(1);
  await approvals.getByTestId("request-row").getByRole("button", { name: "Approve" }).click();
  await expect(approvals.getByTestId("request-row")).toHaveCount(0);
  await expect(member.getByTestId("status-badge").first()).toHaveText("active");
  expect(await carries(port)).toBe(true);
  await expect(member.getByTestId("bytes-in")).toHaveText("1.0 MiB");
});

test("a member joins a tunnel shared with their team, which lets their address in until the owner removes them", async ({
  page,
  warren,
  newVisitor,
  capture,
}) => {
  await team(warren, "ops", { name: "ops-1" });
  await signInAs(page, "owner");
  const member = await newVisitor();
  await signInAs(member, "member");
  const shared = member.getByRole("region", { name: "Shared with my teams" });
  await expect(shared).toContainText("Nothing is shared with your teams right now.");
  await expect(member.getByTestId("live-indicator")).toHaveText("live");

  // The owner opens it through the form, shared with ops, admitting only 127.0.0.2.
  const port = await freePortInRange();
  await fillLocalTunnel(page, "ops-1", port);
  await page.getByLabel("Allowed sources (optional)", { exact: true }).fill("127.0.0.2/32");
  await page.getByLabel("Share with team", { exact: true }).selectOption({ label: "ops" });
  await page.getByRole("button", { name: "Open tunnel" }).click();
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  const detail = page.url();
  expect(await carries(port)).toBe(false);

  // The member's open list shows it live; joining lets 127.0.0.1 in.
  const row = shared.getByTestId("tunnel-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").filter({ hasText: /^owner@example\.com$/ })).toHaveCount(1);
  await expect(row).toContainText("shared with ops");
  await row.getByRole("button", { name: "Join owner@example.com's tunnel" }).click();
  await expect(shared.getByRole("status")).toHaveText("Joined owner@example.com's tunnel: 127.0.0.1/32 may connect.");
  await expect(row.getByRole("button", { name: /Join/ })).toHaveCount(0);
  await expect(row).toContainText("Joined from 127.0.0.1/32");
  expect(await carries(port)).toBe(true);
  await capture("shared-joined", member);

  // The owner removes them on the detail page: 127.0.0.1 is refused again.
  await page.goto(detail);
  const participants = page.getByRole("region", { name: "Participants" });
  await expect(participants).toContainText("member@example.com");
  await expect(participants).toContainText("127.0.0.1/32");
  await capture("participants");
  await participants.getByRole("button", { name: "Remove member@example.com" }).click();
  await participants.getByRole("button", { name: "Yes, remove" }).click();
  await expect(participants).toContainText("Nobody has joined.");
  expect(await carries(port)).toBe(false);
});
