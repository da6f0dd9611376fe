import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, postgresqlDatabase } from "@/lib/config";

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "warren-config-"));

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ WARREN_DATA_DIR: tempDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("uses safe defaults: loopback, port 3000, SQLite in the data dir", () => {
    const dataDir = tempDir();
    const config = loadConfig({ WARREN_DATA_DIR: dataDir });
    expect(config).toMatchObject({ port: 3000, host: "127.0.0.1", dataDir, publicUrl: "http://127.0.0.1:3000" });
    expect(config.database).toMatchObject({ provider: "sqlite", file: path.join(dataDir, "warren.db") });
    expect(config.secretKey).toHaveLength(32);
    expect(config.listenAddresses).toEqual(["127.0.0.1"]);
    expect(config.listenPorts).toEqual({ min: 20000, max: 29999 });
    expect(config.refusalSummarySeconds).toBe(60);
    expect(config.auditVerifyHours).toBe(24);
    expect(config.maxTunnelsPerUser).toBe(50);
    expect(config.deviceTokenDays).toBe(30);
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_DEVICE_TOKEN_DAYS: "7" }).deviceTokenDays).toBe(7);
  });

  it("turns web tunnels on with an apps domain that does not hold Warren's own host", () => {
    const dataDir = tempDir();
    expect(loadConfig({ WARREN_DATA_DIR: dataDir }).appsDomain).toBeNull();
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_APPS_DOMAIN: " Apps.Example.NET " }).appsDomain).toBe("apps.example.net");
    expect(configError({ WARREN_APPS_DOMAIN: "https://apps.example.net" }).message).toBe(
      "WARREN_APPS_DOMAIN: must be a domain name such as apps.warren.example.com (no scheme, port or path)",
    );
    expect(configError({ WARREN_PUBLIC_URL: "https://warren.example.com", WARREN_APPS_DOMAIN: "example.com" }).message).toMatch(
      /^WARREN_APPS_DOMAIN: must not contain Warren's own host \(warren\.example\.com/,
    );
  });

  it("generates secrets once, owner-only, and keeps them across starts", () => {
    const dataDir = tempDir();
    const first = loadConfig({ WARREN_DATA_DIR: dataDir });
    const second = loadConfig({ WARREN_DATA_DIR: dataDir });
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.secretKey.equals(first.secretKey)).toBe(true);
    for (const file of ["auth-secret", "secret-key"]) {
      expect(statSync(path.join(dataDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it("prefers secrets from the environment and writes none", () => {
    const dataDir = tempDir();
    const key = "ab".repeat(32);
    const config = loadConfig({ WARREN_DATA_DIR: dataDir, AUTH_SECRET: "x".repeat(40), WARREN_SECRET_KEY: key });
    expect(config.secretKey.toString("hex")).toBe(key);
    expect(() => readFileSync(path.join(dataDir, "secret-key"))).toThrow();
  });

  it.each([
    [{ PORT: "abc" }, "PORT", "must be a number"],
    [{ PORT: "70000" }, "PORT", "between 1 and 65535"],
    [{ HOST: "bad host!" }, "HOST", "host name or IP address"],
    [{ WARREN_SECRET_KEY: "too-short" }, "WARREN_SECRET_KEY", "32 bytes"],
    [{ AUTH_SECRET: "short" }, "AUTH_SECRET", "at least 32"],
    [{ WARREN_PUBLIC_URL: "ftp://bastion" }, "WARREN_PUBLIC_URL", "http:// or https://"],
    [{ DATABASE_URL: "mysql://db/warren" }, "DATABASE_URL", "file:<path> (SQLite) or postgresql://"],
    [{ DATABASE_URL: "postgresql://" }, "DATABASE_URL", "not a valid postgresql://"],
    [{ WARREN_LISTEN_ADDRESSES: "127.0.0.1,bastion" }, "WARREN_LISTEN_ADDRESSES", "IP addresses"],
    [{ WARREN_LISTEN_PORTS: "30000-20000" }, "WARREN_LISTEN_PORTS", "low to high"],
    [{ WARREN_LISTEN_PORTS: "20000" }, "WARREN_LISTEN_PORTS", "range like"],
    [{ WARREN_REFUSAL_SUMMARY_SECONDS: "0" }, "WARREN_REFUSAL_SUMMARY_SECONDS", "at least 1 second"],
    [{ WARREN_REFUSAL_SUMMARY_SECONDS: "a minute" }, "WARREN_REFUSAL_SUMMARY_SECONDS", "number of seconds"],
    [{ WARREN_MAX_TUNNELS_PER_USER: "0" }, "WARREN_MAX_TUNNELS_PER_USER", "at least 1"],
    [{ WARREN_MAX_TUNNELS_PER_USER: "lots" }, "WARREN_MAX_TUNNELS_PER_USER", "must be a number"],
    [{ WARREN_DEVICE_TOKEN_DAYS: "0" }, "WARREN_DEVICE_TOKEN_DAYS", "at least 1 day"],
    [{ WARREN_DEVICE_TOKEN_DAYS: "400" }, "WARREN_DEVICE_TOKEN_DAYS", "at most 365 days"],
    [{ WARREN_DEVICE_TOKEN_DAYS: "1.5" }, "WARREN_DEVICE_TOKEN_DAYS", "whole number of days"],
    [{ WARREN_CONNECT_MAX_PER_USER: "0" }, "WARREN_CONNECT_MAX_PER_USER", "at least 1"],
    [{ WARREN_CONNECT_MAX_PER_USER: "many" }, "WARREN_CONNECT_MAX_PER_USER", "a number of connections"],
    [{ WARREN_SSH_CONNECTIONS_PER_HOST: "0" }, "WARREN_SSH_CONNECTIONS_PER_HOST", "at least 1"],
    [{ WARREN_SSH_CONNECTIONS_PER_HOST: "17" }, "WARREN_SSH_CONNECTIONS_PER_HOST", "at most 16"],
    [{ WARREN_JOURNAL_BACKLOG_LIMIT: "5" }, "WARREN_JOURNAL_BACKLOG_LIMIT", "at least 10"],
    [{ WARREN_AUDIT_RETENTION_DAYS: "-1" }, "WARREN_AUDIT_RETENTION_DAYS", "0 (keep forever)"],
    [{ WARREN_TRUSTED_PROXY_HEADER: "X Forwarded", WARREN_TRUSTED_PROXIES: "127.0.0.1" }, "WARREN_TRUSTED_PROXY_HEADER", "header name"],
    [{ WARREN_TRUSTED_PROXY_HEADER: "x-forwarded-for" }, "WARREN_TRUSTED_PROXY_HEADER", "needs WARREN_TRUSTED_PROXIES"],
    [{ WARREN_TRUSTED_PROXIES: "127.0.0.1" }, "WARREN_TRUSTED_PROXIES", "needs WARREN_TRUSTED_PROXY_HEADER"],
    [{ WARREN_TRUSTED_PROXY_HEADER: "x-forwarded-for", WARREN_TRUSTED_PROXIES: "127.0.0.1,proxy.lan" }, "WARREN_TRUSTED_PROXIES", "IP address or CIDR range"],
    [{ WARREN_TRUSTED_PROXY_HEADER: "x-forwarded-for", WARREN_TRUSTED_PROXIES: "10.0.0.0/33" }, "WARREN_TRUSTED_PROXIES", "IP address or CIDR range"],
  ])("refuses %o naming the setting", (env, setting, reason) => {
    const error = configError(env);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(`${setting}: `);
    expect(error.message).toContain(reason);
  });

  it("takes the client's address from a proxy header only with the proxies it comes from", () => {
    const config = loadConfig({
      WARREN_DATA_DIR: tempDir(),
      WARREN_TRUSTED_PROXY_HEADER: "X-Forwarded-For",
      WARREN_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8,::1",
    });
    expect(config).toMatchObject({ trustedProxyHeader: "x-forwarded-for", trustedProxies: ["127.0.0.1", "10.0.0.0/8", "::1"] });
    expect(loadConfig({ WARREN_DATA_DIR: tempDir() })).toMatchObject({ trustedProxyHeader: null, trustedProxies: [] });
  });

  it("takes DATABASE_URL over the default file", () => {
    const dataDir = tempDir();
    const config = loadConfig({ WARREN_DATA_DIR: dataDir, DATABASE_URL: `file:${dataDir}/other.db` });
    expect(config.database).toEqual({ provider: "sqlite", url: `file:${path.join(dataDir, "other.db")}`, file: path.join(dataDir, "other.db") });
  });

  it("takes a PostgreSQL DATABASE_URL as it is, with the keys every node shares from the environment", () => {
    const url = "postgresql://warren:secret@db.internal:5432/warren?sslmode=require";
    const shared = { AUTH_SECRET: "x".repeat(40), WARREN_SECRET_KEY: "a".repeat(64) };
    expect(loadConfig({ WARREN_DATA_DIR: tempDir(), DATABASE_URL: url, ...shared }).database).toEqual({ provider: "postgresql", url });
    expect(() => loadConfig({ WARREN_DATA_DIR: tempDir(), DATABASE_URL: url, AUTH_SECRET: shared.AUTH_SECRET })).toThrow(
      "WARREN_SECRET_KEY: must be set with a PostgreSQL DATABASE_URL, to the same value on every node",
    );
    expect(() => loadConfig({ WARREN_DATA_DIR: tempDir(), DATABASE_URL: url, WARREN_SECRET_KEY: shared.WARREN_SECRET_KEY })).toThrow(
      "AUTH_SECRET: must be set",
    );
  });

  it("names this node after the machine, reached at its first listen address that is not loopback, unless told", () => {
    const dataDir = tempDir();
    expect(loadConfig({ WARREN_DATA_DIR: dataDir }).node).toEqual({
      name: os.hostname().split(".")[0]!.toLowerCase(),
      address: "127.0.0.1",
      url: "http://127.0.0.1:3000",
    });
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_LISTEN_ADDRESSES: "127.0.0.1,10.0.0.5", WARREN_NODE_NAME: "Bastion-A" }).node).toEqual({
      name: "bastion-a",
      address: "10.0.0.5",
      url: "http://127.0.0.1:3000",
    });
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_LISTEN_ADDRESSES: "0.0.0.0", WARREN_NODE_ADDRESS: "192.0.2.7" }).node.address).toBe("192.0.2.7");
    expect(() => loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_NODE_ADDRESS: "10.9.9.9" })).toThrow(
      "WARREN_NODE_ADDRESS: must be one of WARREN_LISTEN_ADDRESSES (127.0.0.1), where this node's listeners may bind",
    );
    expect(() => loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_NODE_NAME: "no spaces" })).toThrow("WARREN_NODE_NAME: must be a name of letters");
  });

  it("tells the other nodes to reach this one's HTTP server at its own host and port, or at its node address when it listens on every address", () => {
    const dataDir = tempDir();
    const everywhere = { WARREN_DATA_DIR: dataDir, HOST: "::", PORT: "8080", WARREN_LISTEN_ADDRESSES: "0.0.0.0", WARREN_NODE_ADDRESS: "fd00::7" };
    expect(loadConfig(everywhere).node.url).toBe("http://[fd00::7]:8080");
    expect(loadConfig({ ...everywhere, WARREN_NODE_URL: "https://bastion-a.internal:8443/" }).node.url).toBe("https://bastion-a.internal:8443");
    expect(() => loadConfig({ ...everywhere, WARREN_NODE_URL: "bastion-a:8080" })).toThrow("WARREN_NODE_URL: must be an http:// or https:// URL");
  });

  it("serves metrics only when given an address and port of their own", () => {
    const dataDir = tempDir();
    expect(loadConfig({ WARREN_DATA_DIR: dataDir }).metricsAddress).toBeNull();
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_METRICS_ADDRESS: "127.0.0.1:9464" }).metricsAddress).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, WARREN_METRICS_ADDRESS: "[::1]:9464" }).metricsAddress).toEqual({ host: "::1", port: 9464 });
    expect(configError({ WARREN_METRICS_ADDRESS: "9464" }).message).toBe("WARREN_METRICS_ADDRESS: must be an address and port such as 127.0.0.1:9464");
    expect(configError({ WARREN_METRICS_ADDRESS: "127.0.0.1:70000" }).message).toBe("WARREN_METRICS_ADDRESS: must end in a port between 1 and 65535");
  });

  it("checks another PostgreSQL URL (db copy --to) by the same rules, naming it", () => {
    expect(postgresqlDatabase("--to", "postgres://db.internal/warren")).toEqual({ provider: "postgresql", url: "postgres://db.internal/warren" });
    expect(() => postgresqlDatabase("--to", "file:/var/lib/warren/warren.db")).toThrow("--to: must be a postgresql://user:password@host:port/database URL");
    expect(() => postgresqlDatabase("--to", "postgresql://")).toThrow("--to: is not a valid postgresql://user:password@host:port/database URL");
  });

  it("strips a trailing slash from the public URL", () => {
    expect(loadConfig({ WARREN_DATA_DIR: tempDir(), WARREN_PUBLIC_URL: "https://warren.example.com/" }).publicUrl).toBe("https://warren.example.com");
  });

  it("turns single sign-on on with an issuer, a client id and a secret, and checks each setting", () => {
    const dataDir = tempDir();
    const sso = { WARREN_OIDC_ISSUER: "https://idp.example.com/", WARREN_OIDC_CLIENT_ID: "warren", WARREN_OIDC_CLIENT_SECRET: "s3cret" };
    expect(loadConfig({ WARREN_DATA_DIR: dataDir }).oidc).toBeNull();
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, ...sso, WARREN_OIDC_ADMIN_GROUPS: "admins, ops ,," }).oidc).toEqual({
      issuer: "https://idp.example.com",
      clientId: "warren",
      clientSecret: "s3cret",
      name: "single sign-on",
      groupsClaim: "groups",
      adminGroups: ["admins", "ops"],
      linkByEmail: false,
      scopes: "openid email profile",
    });
    expect(configError({ WARREN_OIDC_ISSUER: "https://idp.example.com" }).message).toBe(
      "WARREN_OIDC_CLIENT_ID: is needed with WARREN_OIDC_ISSUER: single sign-on takes the issuer, client id and client secret",
    );
    expect(configError({ ...sso, WARREN_OIDC_ISSUER: "http://idp.example.com" }).message).toBe(
      "WARREN_OIDC_ISSUER: must be an https:// URL (http:// only on loopback)",
    );
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, ...sso, WARREN_OIDC_ISSUER: "http://127.0.0.1:9000/realm" }).oidc?.issuer).toBe(
      "http://127.0.0.1:9000/realm",
    );
    expect(configError({ ...sso, WARREN_OIDC_LINK_BY_EMAIL: "yes" }).message).toBe("WARREN_OIDC_LINK_BY_EMAIL: must be on or off");
    expect(configError({ ...sso, WARREN_OIDC_SCOPES: "email profile" }).message).toBe("WARREN_OIDC_SCOPES: must include openid");
  });

  it("turns password sign-in off only beside single sign-on", () => {
    const dataDir = tempDir();
    const sso = { WARREN_OIDC_ISSUER: "https://idp.example.com", WARREN_OIDC_CLIENT_ID: "warren", WARREN_OIDC_CLIENT_SECRET: "s3cret" };
    expect(loadConfig({ WARREN_DATA_DIR: dataDir }).passwordLogin).toBe(true);
    expect(loadConfig({ WARREN_DATA_DIR: dataDir, ...sso, WARREN_PASSWORD_LOGIN: "off" }).passwordLogin).toBe(false);
    expect(configError({ WARREN_PASSWORD_LOGIN: "off" }).message).toBe(
      "WARREN_PASSWORD_LOGIN: off needs single sign-on (WARREN_OIDC_ISSUER and its client), or nobody could sign in",
    );
  });
});

describe("audit streaming settings", () => {
  const secret = "a webhook secret of some length";

  it("are off unless set", () => {
    expect(loadConfig({ WARREN_DATA_DIR: tempDir() }).auditStreaming).toEqual({ webhook: null, syslog: null, file: null });
  });

  it("take a webhook with its secret, both or neither", () => {
    const config = loadConfig({
      WARREN_DATA_DIR: tempDir(),
      WARREN_AUDIT_WEBHOOK_URL: "https://siem.example.com/in?token=x",
      WARREN_AUDIT_WEBHOOK_SECRET: secret,
    });
    expect(config.auditStreaming.webhook).toEqual({ url: "https://siem.example.com/in?token=x", secret });
    expect(configError({ WARREN_AUDIT_WEBHOOK_URL: "https://siem.example.com/in" }).message).toBe(
      "WARREN_AUDIT_WEBHOOK_SECRET: is needed with WARREN_AUDIT_WEBHOOK_URL: every body is signed with it (X-Warren-Signature)",
    );
    expect(configError({ WARREN_AUDIT_WEBHOOK_SECRET: secret }).setting).toBe("WARREN_AUDIT_WEBHOOK_SECRET");
    expect(configError({ WARREN_AUDIT_WEBHOOK_URL: "ftp://siem.example.com/", WARREN_AUDIT_WEBHOOK_SECRET: secret }).message).toBe(
      "WARREN_AUDIT_WEBHOOK_URL: must be an http:// or https:// URL",
    );
    expect(configError({ WARREN_AUDIT_WEBHOOK_URL: "https://siem.example.com/", WARREN_AUDIT_WEBHOOK_SECRET: "short" }).message).toMatch(
      /^WARREN_AUDIT_WEBHOOK_SECRET: must be at least 16 characters/,
    );
  });

  it("take syslog over TCP or TLS, on the standard ports unless told", () => {
    const syslog = (value: string) => loadConfig({ WARREN_DATA_DIR: tempDir(), WARREN_AUDIT_SYSLOG: value }).auditStreaming.syslog;
    expect(syslog("tcp://logs.example.com:5140")).toEqual({ protocol: "tcp", host: "logs.example.com", port: 5140 });
    expect(syslog("tls://logs.example.com")).toEqual({ protocol: "tls", host: "logs.example.com", port: 6514 });
    expect(syslog("tcp://[::1]")).toEqual({ protocol: "tcp", host: "::1", port: 601 });
    expect(configError({ WARREN_AUDIT_SYSLOG: "udp://logs.example.com:514" }).message).toBe("WARREN_AUDIT_SYSLOG: must be tcp://host:port or tls://host:port");
    expect(configError({ WARREN_AUDIT_SYSLOG: "tcp://logs.example.com:70000" }).message).toBe("WARREN_AUDIT_SYSLOG: must name a port between 1 and 65535");
  });

  it("take a JSONL file in a directory that exists, rotated at 100 MB keeping 5 unless told", () => {
    const dir = tempDir();
    const file = path.join(dir, "audit.jsonl");
    expect(loadConfig({ WARREN_DATA_DIR: tempDir(), WARREN_AUDIT_FILE: file }).auditStreaming.file).toEqual({
      path: file,
      maxBytes: 100 * 1024 * 1024,
      keep: 5,
    });
    expect(
      loadConfig({ WARREN_DATA_DIR: tempDir(), WARREN_AUDIT_FILE: file, WARREN_AUDIT_FILE_MAX_MB: "0.5", WARREN_AUDIT_FILE_KEEP: "2" }).auditStreaming.file,
    ).toEqual({ path: file, maxBytes: 512 * 1024, keep: 2 });
    expect(configError({ WARREN_AUDIT_FILE: dir }).message).toBe(`WARREN_AUDIT_FILE: ${dir} is a directory: name the file to write, e.g. ${file}`);
    expect(configError({ WARREN_AUDIT_FILE: path.join(dir, "missing", "audit.jsonl") }).message).toBe(
      `WARREN_AUDIT_FILE: the directory ${path.join(dir, "missing")} does not exist`,
    );
    expect(configError({ WARREN_AUDIT_FILE: file, WARREN_AUDIT_FILE_MAX_MB: "0" }).message).toBe("WARREN_AUDIT_FILE_MAX_MB: must be at least 0.01 (megabytes)");
    expect(configError({ WARREN_AUDIT_FILE: file, WARREN_AUDIT_FILE_KEEP: "1.5" }).message).toBe("WARREN_AUDIT_FILE_KEEP: must be a whole number of files");
    expect(configError({ WARREN_AUDIT_FILE_MAX_MB: "10" }).message).toBe("WARREN_AUDIT_FILE_MAX_MB: is set without WARREN_AUDIT_FILE, the file it rotates");
  });
});

describe("notification settings", () => {
  const notifications = (env: Record<string, string>) => loadConfig({ WARREN_DATA_DIR: tempDir(), ...env }).notifications;

  it("send no email and post to no shared channel unless told; personal webhooks go to Slack's host only", () => {
    expect(notifications({})).toEqual({ smtp: null, approversSlackUrl: null, slackWebhookHosts: ["hooks.slack.com"] });
  });

  it("take a mail server with its sender, an approvers' channel and the hosts people's webhooks may use", () => {
    expect(
      notifications({
        WARREN_SMTP_URL: "smtps://warren:secret@mail.example.com:465",
        WARREN_SMTP_FROM: "Warren <warren@example.com>",
        WARREN_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/x",
        WARREN_SLACK_WEBHOOK_HOSTS: "hooks.slack.com, Chat.Example.com",
      }),
    ).toEqual({
      smtp: { url: "smtps://warren:secret@mail.example.com:465", from: "Warren <warren@example.com>" },
      approversSlackUrl: "https://hooks.slack.com/services/T/B/x",
      slackWebhookHosts: ["hooks.slack.com", "chat.example.com"],
    });
  });

  it("name the setting that is wrong", () => {
    expect(configError({ WARREN_SMTP_URL: "smtp://mail.example.com" }).message).toBe(
      "WARREN_SMTP_FROM: is needed with WARREN_SMTP_URL: it is the sender of Warren's email",
    );
    expect(configError({ WARREN_SMTP_FROM: "warren@example.com" }).message).toBe(
      "WARREN_SMTP_FROM: is set without WARREN_SMTP_URL, the mail server that sends it",
    );
    expect(configError({ WARREN_SMTP_URL: "http://mail.example.com", WARREN_SMTP_FROM: "warren@example.com" }).message).toMatch(
      /^WARREN_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/,
    );
    expect(configError({ WARREN_SMTP_URL: "smtp://mail.example.com", WARREN_SMTP_FROM: "Warren" }).message).toMatch(
      /^WARREN_SMTP_FROM: must be an email address/,
    );
    expect(configError({ WARREN_SLACK_WEBHOOK_URL: "http://hooks.example.com/x" }).message).toBe(
      "WARREN_SLACK_WEBHOOK_URL: must be an https:// URL (http:// only on loopback)",
    );
  });
});
