// Nothing secret reaches Warren's output: a whole run through the features
// that handle secrets (passwords at sign-in, right and wrong; API tokens; a
// host's private key and passphrase; TOTP; a mail server's password; an audit
// webhook's key; a person's Slack webhook; session cookies; the generated
// keys), then every line Warren printed is searched for each of them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { type MailServer, type SlackReceiver, startMailServer, startSlackReceiver } from "@/tests/harness/notification-receivers";
import { startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { sessionClient } from "@/tests/harness/session-client";
import { signInAttempt, signInCookie } from "@/tests/harness/sign-in";
import { hostInput, startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { totpAt } from "@/tests/harness/totp";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery staple 42";
const smtpPassword = "smtp-pass-Zq81xV";
const webhookSecret = "audit-webhook-key-7Hc2LmP0qa";

let sshd: SshdHandle;
let echo: TcpServer;
let mail: MailServer;
let slack: SlackReceiver;
let warren: WarrenHandle;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  [sshd, echo, mail, slack] = await Promise.all([startSshd(), startEchoServer(), startMailServer(), startSlackReceiver()]);
  warren = await startWarren({
    env: {
      WARREN_LOG_LEVEL: "debug",
      WARREN_SMTP_URL: mail.url.replace("smtp://", `smtp://warren:${smtpPassword}@`),
      WARREN_SMTP_FROM: "warren@example.com",
      WARREN_SLACK_WEBHOOK_HOSTS: "127.0.0.1",
      WARREN_AUDIT_WEBHOOK_URL: slack.url("/audit"),
      WARREN_AUDIT_WEBHOOK_SECRET: webhookSecret,
    },
  });
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), echo?.close(), mail?.close(), slack?.close()]);
});

describe("Warren's output", () => {
  it("holds no password, token, key, cookie or webhook secret after a run through all of them", async () => {
    await warren.createUser({ email: "admin@example.com", password, admin: true });
    const token = await warren.createToken("admin@example.com");
    const admin = apiClient(warren.url, token);
    // A host with a passphrase-protected key of its own (the sshd accepts the harness key; this one is only stored).
    const passphrase = "host-key-passphrase-Wd3";
    const { privateKey } = generateKeyPairSync("ed25519", {
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    await admin.post("/hosts", { ...hostInput(sshd), name: "stored-key", address: "127.0.0.1", privateKey, passphrase });
    const host = await admin.post<{ id: string }>("/hosts", { ...hostInput(sshd), name: "lab-1", address: "127.0.0.1" });
    const tunnel = await admin.post<{ id: string }>("/tunnels", {
      hostId: host.body.id,
      kind: "local",
      listen: { port: await freePortInRange() },
      target: { host: "127.0.0.1", port: echo.port },
    });
    expect(tunnel.status).toBe(201);

    // Sign-ins, a wrong one among them, and a second factor.
    expect((await signInAttempt(warren.url, "admin@example.com", "wrong-password-Kx9")).error).not.toBeNull();
    const cookie = await signInCookie(warren.url, "admin@example.com", password);
    const browser = sessionClient(warren.url, cookie);
    const totp = await browser<{ secret: string }>("POST", "/me/mfa/totp", {});
    expect(totp.status).toBe(201);
    expect((await browser("POST", "/me/mfa/totp/confirm", { code: await totpAt(totp.body.secret) })).status).toBe(200);

    // A person's webhook, a test through it and one by mail.
    const slackUrl = slack.url("/services/T0/B0/slack-token-Qm7Yv2");
    expect((await browser("PATCH", "/me/notification-settings", { slackWebhookUrl: slackUrl })).status).toBe(200);
    expect((await browser("POST", "/me/notification-settings/test", { channel: "slack" })).status).toBe(200);
    expect((await browser("POST", "/me/notification-settings/test", { channel: "email" })).status).toBe(200);
    // The audit webhook has delivered (its signature key is in play).
    await waitFor(
      async () => slack.posts.filter((post) => post.path === "/audit").length,
      (n) => n > 0,
      30_000,
      "the audit webhook",
    );

    Object.assign(secrets, {
      password,
      "wrong password": "wrong-password-Kx9",
      "API token": token,
      "session cookie": cookie.split("=")[1]!,
      "host passphrase": passphrase,
      "private key": privateKey.split("\n")[1]!,
      "harness key": sshd.privateKey.split("\n")[1]!,
      "TOTP secret": totp.body.secret,
      "SMTP password": smtpPassword,
      "audit webhook key": webhookSecret,
      "Slack webhook token": "slack-token-Qm7Yv2",
      // Generated into the data directory, or set for every node (PostgreSQL).
      WARREN_SECRET_KEY: warren.env.WARREN_SECRET_KEY ?? readFileSync(path.join(warren.dataDir, "secret-key"), "utf8").trim(),
      AUTH_SECRET: warren.env.AUTH_SECRET ?? readFileSync(path.join(warren.dataDir, "auth-secret"), "utf8").trim(),
    });
    const output = warren.logs();
    // The harness keeps the last 64 kB: the whole run must fit, or the search would miss its start.
    expect(output.length, `${output.length} characters`).toBeLessThan(64_000);
    expect(output).toContain("request");
    const found = Object.entries(secrets).filter(([, value]) => output.includes(value));
    expect(found.map(([name]) => name)).toEqual([]);
  }, 120_000);
});
