// Notifications end to end, through a real SMTP server, a Slack-compatible
// webhook and a real sshd: approvers hear of a waiting request on every
// channel, requesters of its outcome, owners of a failed tunnel, one about
// to expire and one reconnecting for over a minute; each person's choices
// and own webhook decide where it goes, and mail waits out a mail server
// that is down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliceWithHost } from "@/tests/harness/alice-with-host";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { type MailServer, type SlackReceiver, startMailServer, startSlackReceiver } from "@/tests/harness/notification-receivers";
import { startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { hostInput, startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Notification = { id: string; kind: string; title: string; body: string; url: string; read: boolean };
type Bell = { notifications: Notification[]; unread: number; nextCursor: string | null };
type Tunnel = { id: string; status: string };

let sshd: SshdHandle;
let echo: TcpServer;
let mail: MailServer;
let slack: SlackReceiver;
let warren: WarrenHandle;
let admin: ApiClient;
let alice: ApiClient;
let hostId: string;
let approvalHostId: string;

const bell = async (who: ApiClient) => (await who.get<Bell>("/me/notifications")).body;
const told = (who: ApiClient, kind: string, what: string) =>
  waitFor(
    () => bell(who),
    (b) => b.notifications.some((n) => n.kind === kind),
    30_000,
    what,
  ).then((b) => b.notifications.find((n) => n.kind === kind)!);
const mailsTo = (address: string) => mail.mails.filter((m) => m.to.includes(address));

async function openTunnel(on: string, extra: Record<string, unknown> = {}) {
  const created = await alice.post<Tunnel>("/tunnels", {
    hostId: on,
    kind: "local",
    listen: { port: await freePortInRange() },
    target: { host: "127.0.0.1", port: echo.port },
    reason: "incident 12",
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

beforeAll(async () => {
  [sshd, echo, mail, slack] = await Promise.all([startSshd(), startEchoServer(), startMailServer(), startSlackReceiver()]);
  warren = await startWarren({
    env: {
      WARREN_SMTP_URL: mail.url,
      WARREN_SMTP_FROM: "Warren <warren@example.com>",
      WARREN_SLACK_WEBHOOK_URL: slack.url("/approvers"),
      WARREN_SLACK_WEBHOOK_HOSTS: "127.0.0.1",
    },
  });
  ({ alice, hostId } = await aliceWithHost(warren, sshd, { name: "plain", address: "127.0.0.1" }));
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const approvalHost = await admin.post<{ id: string }>("/hosts", { ...hostInput(sshd), name: "guarded", address: "127.0.0.1", policy: { approval: true } });
  expect(approvalHost.status, JSON.stringify(approvalHost.body)).toBe(201);
  approvalHostId = approvalHost.body.id;
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), echo?.close(), mail?.close(), slack?.close()]);
});

describe("notifications", () => {
  it("tell approvers of a waiting request on every channel, and its requester of the decision", async () => {
    const pending = await openTunnel(approvalHostId);
    expect(pending.status).toBe("pending_approval");

    const waiting = await told(admin, "approval.waiting", "the admin to be told of the request");
    expect(waiting).toMatchObject({ title: "alice@example.com asks to open a tunnel through guarded", url: `/tunnels/${pending.id}`, read: false });
    expect(waiting.body).toContain('Why: "incident 12". Unanswered, the request expires at');
    expect((await bell(admin)).unread).toBe(1);
    const [adminMail] = await waitFor(
      async () => mailsTo("admin@example.com"),
      (mails) => mails.length === 1,
      30_000,
      "the admin's mail",
    );
    expect(adminMail!.from).toBe("warren@example.com");
    expect(adminMail!.subject).toBe(waiting.title);
    expect(adminMail!.text).toContain(`${warren.url}/tunnels/${pending.id}`);
    const [channel] = await waitFor(
      async () => slack.posts.filter((post) => post.path === "/approvers"),
      (posts) => posts.length === 1,
      30_000,
      "the approvers' channel post",
    );
    expect(channel!.text).toContain(`*${waiting.title}*`);
    expect(channel!.text).toContain(`<${warren.url}/tunnels/${pending.id}|Open it in Warren>`);
    // Nobody is told of their own request.
    expect((await bell(alice)).notifications).toEqual([]);

    expect((await admin.post(`/tunnels/${pending.id}/approve`, { reason: "change 7" })).status).toBe(200);
    const decided = await told(alice, "approval.decided", "alice to be told of the approval");
    expect(decided.title).toBe("Your request for a tunnel through guarded was approved");
    expect(decided.body).toContain("approved by admin@example.com: change 7");
    await waitFor(
      async () => mailsTo("alice@example.com"),
      (mails) => mails.some((m) => m.subject === decided.title),
      30_000,
      "alice's mail",
    );

    const read = await admin.post<{ unread: number }>("/me/notifications/read", { all: true });
    expect(read.body).toEqual({ unread: 0 });
    expect((await bell(admin)).notifications.every((n) => n.read)).toBe(true);
    await admin.delete(`/tunnels/${pending.id}`);
  });

  it("go where each person chose: their own webhook on an allowed host, never a channel they turned off", async () => {
    const elsewhere = await alice.patch<{ error: { field: string; message: string } }>("/me/notification-settings", {
      slackWebhookUrl: "https://hooks.example.net/services/T/B/x",
    });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.error).toEqual({
      code: "unprocessable_entity",
      field: "slackWebhookUrl",
      message: "must be on 127.0.0.1 (the hosts WARREN_SLACK_WEBHOOK_HOSTS allows)",
    });
    const adminsOnly = await alice.patch<{ error: { field: string } }>("/me/notification-settings", { choices: { "audit.chain_broken": { email: false } } });
    expect(adminsOnly.status).toBe(422);
    expect(adminsOnly.body.error.field).toBe("choices.audit.chain_broken");

    const saved = await alice.patch<{ choices: { kind: string; channels: Record<string, boolean> }[]; slack: { webhookSet: boolean } }>(
      "/me/notification-settings",
      { choices: { "tunnel.failed": { email: false } }, slackWebhookUrl: slack.url("/alice") },
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.slack.webhookSet).toBe(true);
    expect(saved.body.choices.find((c) => c.kind === "tunnel.failed")!.channels).toEqual({ dashboard: true, email: false, slack: true });
    expect(saved.body.choices.map((c) => c.kind)).not.toContain("approval.waiting");
    const settingsText = JSON.stringify((await alice.get("/me/notification-settings")).body);
    expect(settingsText).not.toContain("/alice");

    expect((await alice.post("/me/notification-settings/test", { channel: "slack" })).body).toEqual({ sent: true });
    expect(slack.posts.some((post) => post.path === "/alice" && post.text.includes("A test from Warren"))).toBe(true);

    // A host whose key is not the one pinned: the tunnel fails at once, and alice hears why on Slack and in her bell, not by mail.
    const impostor = await admin.post<{ id: string }>("/hosts", {
      ...hostInput(sshd),
      name: "mispinned",
      address: "127.0.0.1",
      hostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
    });
    expect(impostor.status, JSON.stringify(impostor.body)).toBe(201);
    const mailsBefore = mailsTo("alice@example.com").length;
    const failed = await openTunnel(impostor.body.id);
    expect(failed.status).toBe("failed");
    const notice = await told(alice, "tunnel.failed", "alice to be told of the failure");
    expect(notice.title).toBe("Your tunnel through mispinned failed");
    expect(notice.body).toContain("host key for mispinned changed");
    await waitFor(
      async () => slack.posts.filter((post) => post.path === "/alice"),
      (posts) => posts.some((post) => post.text.includes(notice.title)),
      30_000,
      "alice's own webhook to get it",
    );
    expect(mailsTo("alice@example.com").length).toBe(mailsBefore);
  });

  it("tell owners of a tunnel that expires within ten minutes, and of one reconnecting for over a minute, once each", async () => {
    const tunnel = await openTunnel(hostId, { ttlMinutes: 60 });
    await waitFor(
      async () => (await alice.get<Tunnel>(`/tunnels/${tunnel.id}`)).body,
      (t) => t.status === "active",
      30_000,
      "the tunnel to open",
    );
    const raw = await openRawDatabase(warren);
    // Its clock moved on: nine minutes left.
    await raw.run(`UPDATE "Tunnel" SET "expiresAt" = ? WHERE id = ?`, new Date(Date.now() + 9 * 60_000), tunnel.id);
    const expiring = await told(alice, "tunnel.expiring", "alice to be told it expires soon");
    expect(expiring.title).toBe("Your tunnel through plain expires in 9 min");
    expect(expiring.url).toBe(`/tunnels/${tunnel.id}`);

    await sshd.kill();
    await waitFor(
      async () => (await alice.get<Tunnel>(`/tunnels/${tunnel.id}`)).body,
      (t) => t.status === "reconnecting",
      30_000,
      "the tunnel to reconnect",
    );
    // Open three minutes ago, reconnecting since two.
    await raw.run(`UPDATE "TunnelEvent" SET "at" = ? WHERE "tunnelId" = ? AND status <> 'reconnecting'`, new Date(Date.now() - 180_000), tunnel.id);
    await raw.run(`UPDATE "TunnelEvent" SET "at" = ? WHERE "tunnelId" = ? AND status = 'reconnecting'`, new Date(Date.now() - 120_000), tunnel.id);
    await raw.close();
    const reconnecting = await told(alice, "tunnel.reconnecting", "alice to be told it reconnects long");
    expect(reconnecting.title).toBe("Your tunnel through plain has been reconnecting for 2 min");
    await sshd.restart();
    await waitFor(
      async () => (await alice.get<Tunnel>(`/tunnels/${tunnel.id}`)).body,
      (t) => t.status === "active",
      60_000,
      "the tunnel to carry again",
    );
    const kinds = (await bell(alice)).notifications.map((n) => n.kind);
    expect(kinds.filter((kind) => kind === "tunnel.expiring")).toHaveLength(1);
    expect(kinds.filter((kind) => kind === "tunnel.reconnecting")).toHaveLength(1);
  }, 120_000);

  it("keep mail for a mail server that is down, and send it once it is back", async () => {
    await mail.close();
    const before = mailsTo("admin@example.com").length;
    const pending = await openTunnel(approvalHostId);
    await told(admin, "approval.waiting", "the admin's bell to show it at once");
    const raw = await openRawDatabase(warren);
    const failing = await waitFor(
      () =>
        raw.all<{ attempts: number; lastError: string | null; state: string }>(
          `SELECT attempts, "lastError", state FROM "NotificationDelivery" WHERE channel = 'email' AND state = 'pending' AND attempts > 0`,
        ),
      (rows) => rows.length > 0,
      30_000,
      "a failed attempt",
    );
    await raw.close();
    expect(failing[0]!.lastError).toContain("ECONNREFUSED");
    await mail.listen();
    await waitFor(
      async () => mailsTo("admin@example.com"),
      (mails) => mails.length === before + 1,
      60_000,
      "the mail once the server is back",
    );
    await alice.delete(`/tunnels/${pending.id}`);
  }, 120_000);
});
