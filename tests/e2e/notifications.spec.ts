// Notifications in the browser: an approver's bell counts a waiting request
// live, with a toast, and its link leads to the request; the requester's bell
// hears it approved. On the Account page a channel unchecked stays so, a bad
// webhook is refused at its field, and a test send says what happened.
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { startSlackReceiver } from "../harness/notification-receivers";
import { hostInput } from "../harness/sshd";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

// People's own webhooks may point at this machine's loopback, where the test's receiver listens.
test.use({ warrenEnv: { WARREN_SLACK_WEBHOOK_HOSTS: "127.0.0.1" } });

test("the bell shows a waiting request live, leads to it, and tells the requester it was approved", async ({ page, warren, sshd, newVisitor, capture }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "ann@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const ann = apiClient(warren.url, await warren.createToken("ann@example.com"));
  const host = (await admin.post<{ id: string }>("/hosts", { name: "payments-db", ...hostInput(sshd), policy: { approval: true } })).body;

  await signIn(page, "admin@example.com", password);
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  const bell = page.getByTestId("notification-bell");
  await expect(bell).toHaveAccessibleName("Notifications");
  await expect(page.getByTestId("notification-count")).toHaveCount(0);
  const requester = await newVisitor();
  await signIn(requester, "ann@example.com", password);
  await expect(requester.getByTestId("live-indicator")).toHaveText("live");

  // Ann asks; the admin's open page counts it and shows a toast, without a reload.
  const tunnel = (
    await ann.post<{ id: string; status: string }>("/tunnels", {
      hostId: host.id,
      kind: "dynamic",
      reason: "on call",
      listen: { port: await freePortInRange() },
    })
  ).body;
  expect(tunnel.status).toBe("pending_approval");
  await expect(bell).toHaveAccessibleName("Notifications, 1 unread");
  await expect(page.getByTestId("notification-count")).toHaveText("1");
  await expect(page.getByTestId("toast")).toContainText("ann@example.com");
  await capture("notification-toast");

  // The drawer takes the focus; Escape closes it and gives the focus back to the bell.
  await bell.click();
  const panel = page.getByRole("dialog", { name: "Notifications" });
  await expect(panel.locator(":focus")).toHaveCount(1);
  const item = panel.getByTestId("notification-item");
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute("data-read", "false");
  await expect(item).toContainText("ann@example.com");
  await capture("notification-panel");
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(bell).toBeFocused();

  // Following it leads to the request and marks it read.
  await bell.press("Enter");
  await panel.getByTestId("notification-item").getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/tunnels/${tunnel.id}$`));
  await expect(bell).toHaveAccessibleName("Notifications");
  await expect(page.getByTestId("notification-count")).toHaveCount(0);

  // Approved: Ann's bell and a toast say so; "Mark all read" empties the count.
  await admin.post(`/tunnels/${tunnel.id}/approve`, {});
  const requesterBell = requester.getByTestId("notification-bell");
  await expect(requesterBell).toHaveAccessibleName("Notifications, 1 unread");
  await expect(requester.getByTestId("toast")).toContainText("approved");
  await requesterBell.click();
  const requesterPanel = requester.getByRole("dialog", { name: "Notifications" });
  await expect(requesterPanel.getByTestId("notification-item")).toContainText("approved");
  await requesterPanel.getByRole("button", { name: "Mark all read" }).click();
  await expect(requesterPanel.getByTestId("notification-item")).toHaveAttribute("data-read", "true");
  await expect(requesterPanel.getByRole("button", { name: "Mark all read" })).toHaveCount(0);
  // The open drawer hides the page behind it from assistive technology: the bell is named again once it closes.
  await requester.keyboard.press("Escape");
  await expect(requesterBell).toHaveAccessibleName("Notifications");
});

test("notification settings: a channel unchecked stays so, a bad webhook is refused at its field, and a test says what happened", async ({ page, warren }) => {
  // A Slack-compatible webhook on loopback: /status/404 refuses, any other path takes the post.
  const slack = await startSlackReceiver();
  try {
    await warren.createUser({ email: "ann@example.com", password });
    await signIn(page, "ann@example.com", password);
    await expect(page).toHaveURL(/\/tunnels$/);
    await page.goto("/account");
    const section = page.getByRole("region", { name: "Notifications", exact: true });
    const save = section.getByRole("button", { name: "Save notifications" });

    // Only the kinds a person can receive; email is off without a mail server, Slack until a webhook is set.
    await expect(section.getByRole("checkbox", { name: /A request waits for my approval/ })).toHaveCount(0);
    await expect(section.getByRole("checkbox", { name: "Email: My tunnel failed" })).toBeDisabled();
    await expect(section.getByText("no mail server is set (WARREN_SMTP_URL)")).toBeVisible();
    const slackFailed = section.getByRole("checkbox", { name: "Slack: My tunnel failed" });
    await expect(slackFailed).toBeDisabled();

    // Unchecked, saved, and still unchecked after a reload.
    const expiring = section.getByRole("checkbox", { name: "Dashboard: My tunnel expires in 10 minutes" });
    await expect(expiring).toBeChecked();
    await expiring.uncheck();
    await save.click();
    await expect(section.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await page.reload();
    await expect(expiring).not.toBeChecked();

    // Not a URL: the shared schema's words at the field, which takes the focus; a host not allowed: the server's.
    const webhook = section.getByLabel("Slack webhook URL");
    await webhook.fill("not a url");
    await save.click();
    await expect(webhook).toHaveAttribute("aria-invalid", "true");
    await expect(webhook).toBeFocused();
    await expect(webhook).toHaveAccessibleDescription(/must be an https:\/\/ URL/);
    await webhook.fill("https://hooks.example.com/services/T0/B0/x");
    await save.click();
    await expect(webhook).toHaveAccessibleDescription(/must be on 127\.0\.0\.1/);

    // A webhook that refuses: saved as "set", and the test says why it failed.
    await webhook.fill(slack.url("/status/404"));
    await save.click();
    await expect(section.getByTestId("slack-webhook-state")).toHaveText("Set. Warren does not show it again.");
    await expect(slackFailed).toBeEnabled();
    await section.getByRole("button", { name: "Send a test Slack message" }).click();
    await expect(section.getByRole("alert")).toContainText("404");

    // Replaced by one that answers: the test is sent.
    await section.getByRole("button", { name: "Replace" }).click();
    await webhook.fill(slack.url("/hooks/ann"));
    await save.click();
    await expect(section.getByTestId("slack-webhook-state")).toBeVisible();
    await section.getByRole("button", { name: "Send a test Slack message" }).click();
    await expect(section.getByRole("status").filter({ hasText: "Sent to your webhook." })).toBeVisible();
    expect(slack.posts.filter((post) => post.path === "/hooks/ann").map((post) => post.text)).toEqual([expect.stringContaining("A test from Warren")]);

    // No mail server: the email test says so.
    await section.getByRole("button", { name: "Send a test email" }).click();
    await expect(section.getByRole("alert")).toContainText("no mail server is set");

    // Removed: Slack is off again.
    await section.getByRole("button", { name: "Remove" }).click();
    await expect(section.getByTestId("slack-webhook-state")).toHaveText("It will be removed when you save.");
    await save.click();
    await expect(webhook).toBeVisible();
    await expect(slackFailed).toBeDisabled();
  } finally {
    await slack.close();
  }
});
