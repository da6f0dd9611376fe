// Audit streaming to real receivers: a webhook on node:http that checks every
// signature, a syslog collector on node:net, and a JSONL file. Every record
// arrives, in order and with no gap, through a receiver outage and a Warren
// restart; repeats are allowed and dropped by seq. Syslog also over TLS, to
// a collector whose certificate Warren checks.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { parseSyslogMessage, startSyslogListener, startWebhookReceiver, type SyslogListener, type WebhookReceiver } from "@/tests/harness/audit-receivers";
import { waitFor } from "@/tests/harness/free-port";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { privateCa } from "@/tests/harness/tls-front";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Sink = { name: string; kind: string; source: string; target: string; deliveredSeq: number; headSeq: number; backlog: number; lastError: string | null };

const SECRET = "a webhook secret of some length";
let webhook: WebhookReceiver;
let syslog: SyslogListener;
let fileDir: string;
let warren: WarrenHandle;
let admin: ApiClient;
let changes = 0;

const env = () => ({
  // The query is the kind of place a receiver's own token goes: never shown.
  WARREN_AUDIT_WEBHOOK_URL: `${webhook.url}?token=receiver-token`,
  WARREN_AUDIT_WEBHOOK_SECRET: SECRET,
  WARREN_AUDIT_SYSLOG: `tcp://127.0.0.1:${syslog.port}`,
  WARREN_AUDIT_FILE: path.join(fileDir, "audit.jsonl"),
  WARREN_AUDIT_FILE_MAX_MB: "0.01",
  WARREN_AUDIT_FILE_KEEP: "100",
});

const sinks = async () => (await admin.get<{ sinks: Sink[] }>("/integrations")).body.sinks;
const sink = async (name: string) => (await sinks()).find((candidate) => candidate.name === name)!;
const headSeq = async () => (await sink("webhook")).headSeq;

/** Audited changes through the API: each new token is one record. */
async function makeChanges(count: number) {
  for (let index = 0; index < count; index++) {
    const response = await admin.post("/tokens", { name: `change ${++changes}` });
    expect(response.status).toBe(201);
  }
}

/** Every seq in the JSONL file and its rotated copies. */
function fileSeqs(): Set<number> {
  const seqs = new Set<number>();
  for (const name of readdirSync(fileDir).filter((file) => file.startsWith("audit.jsonl"))) {
    for (const line of readFileSync(path.join(fileDir, name), "utf8").split("\n").filter(Boolean)) seqs.add((JSON.parse(line) as { seq: number }).seq);
  }
  return seqs;
}

const allUpTo = (seqs: Set<number>, last: number) => Array.from({ length: last }, (_, index) => index + 1).every((seq) => seqs.has(seq));

async function everySinkHasAll() {
  const last = await headSeq();
  await waitFor(async () => webhook.has(1, last), Boolean, 30_000, `webhook records 1-${last}`);
  await waitFor(async () => syslog.has(1, last), Boolean, 30_000, `syslog records 1-${last}`);
  await waitFor(async () => allUpTo(fileSeqs(), last), Boolean, 30_000, `file records 1-${last}`);
  return last;
}

beforeAll(async () => {
  webhook = await startWebhookReceiver(SECRET);
  syslog = await startSyslogListener();
  fileDir = await mkdtemp(path.join(os.tmpdir(), "warren-audit-file-"));
  warren = await startWarren({ env: env() });
  await warren.createUser({ email: "admin@example.com", password: "correct horse battery", admin: true });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([webhook?.close(), syslog?.close()]);
  if (fileDir) await rm(fileDir, { recursive: true, force: true });
});

describe("audit streaming", () => {
  it("delivers every record, in order, signed, to the webhook, syslog and the file", async () => {
    await makeChanges(5);
    const last = await everySinkHasAll();
    expect(last).toBeGreaterThanOrEqual(7);
    expect(webhook.badSignatures).toBe(0);
    expect(webhook.gaps).toEqual([]);
    expect(syslog.gaps).toEqual([]);
    // Each record is the sealed one: chained to the one before.
    for (let seq = 2; seq <= last; seq++) expect(webhook.bySeq.get(seq)!.prevHash).toBe(webhook.bySeq.get(seq - 1)!.hash);
    expect(webhook.bySeq.get(last)!.action).toBe("token.created");
  });

  it("shows each sink's state to admins, the webhook without its query", async () => {
    const last = await headSeq();
    await waitFor(sinks, (list) => list.every((candidate) => candidate.deliveredSeq === last), 30_000, "every sink delivered");
    const list = await sinks();
    expect(list.map((candidate) => [candidate.name, candidate.kind, candidate.target, candidate.backlog, candidate.lastError])).toEqual([
      ["webhook", "webhook", webhook.url, 0, null],
      ["syslog", "syslog", `tcp://127.0.0.1:${syslog.port}`, 0, null],
      ["file", "file", path.join(fileDir, "audit.jsonl"), 0, null],
    ]);
    expect(JSON.stringify(list)).not.toContain("receiver-token");
  });

  it("writes RFC 5424 messages in octet-counted frames, with the seq in structured data", async () => {
    const message = parseSyslogMessage(syslog.frames[0]!);
    expect(message).toMatchObject({ pri: 110, app: "warren", sd: `[warren@32473 seq="${message.record.seq}" hash="${message.record.hash}"]` });
    expect(message.msgId).toBe(message.record.action);
  });

  it("rotates the JSONL file at its size, keeping every line", async () => {
    await makeChanges(20);
    const last = await everySinkHasAll();
    const files = readdirSync(fileDir).filter((file) => file.startsWith("audit.jsonl"));
    expect(files).toContain("audit.jsonl.1");
    expect(allUpTo(fileSeqs(), last)).toBe(true);
  });

  it("loses nothing while the webhook is down, nor across a restart of Warren", { timeout: 180_000 }, async () => {
    // A webhook that never answers holds up neither Warren nor the other sinks.
    webhook.mode = "hang";
    await makeChanges(3);
    const hung = await headSeq();
    await waitFor(async () => syslog.has(1, hung) && allUpTo(fileSeqs(), hung), Boolean, 30_000, "syslog and the file up to date");
    expect(webhook.has(hung, hung)).toBe(false);

    webhook.mode = "down";
    await makeChanges(3);
    // The hung attempt times out; the next is answered 503.
    const failing = await waitFor(
      () => sink("webhook"),
      (state) => state.lastError?.includes("503") === true,
      60_000,
      "the webhook's 503 shown",
    );
    expect(failing.backlog).toBeGreaterThan(0);
    // Warren answers as before: the other sinks go on, the changes were made.
    const last = await headSeq();
    await waitFor(async () => syslog.has(1, last) && allUpTo(fileSeqs(), last), Boolean, 30_000, "syslog and the file up to date");

    // Closed altogether, and Warren restarted in the meantime.
    await webhook.close();
    await makeChanges(2);
    await warren.stop();
    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port, env: env() });
    await makeChanges(2);
    webhook.mode = "up";
    await webhook.listen();
    await makeChanges(1);

    const end = await everySinkHasAll();
    expect(end).toBeGreaterThanOrEqual(last + 5);
    expect(webhook.gaps).toEqual([]);
    expect(syslog.gaps).toEqual([]);
    expect(webhook.badSignatures).toBe(0);
    expect(webhook.deliveries).toBeGreaterThanOrEqual(webhook.bySeq.size);
    const state = await waitFor(
      () => sink("webhook"),
      (candidate) => candidate.deliveredSeq === end,
      30_000,
      "the webhook caught up",
    );
    expect(state).toMatchObject({ backlog: 0, lastError: null });
  });

  it("adds and removes an admin's sinks, their secret sealed, each change audited", async () => {
    const secret = "another secret for the siem";
    const siem = await startWebhookReceiver(secret);
    const collector = await startSyslogListener();
    try {
      const added = await admin.post<Sink & { secret?: string }>("/integrations", {
        kind: "webhook",
        name: "SIEM",
        url: `${siem.url}?key=receiver-key`,
        secret,
      });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ name: "siem", kind: "webhook", source: "admin", target: siem.url });
      expect(JSON.stringify(added.body)).not.toMatch(/receiver-key|another secret/);
      expect((await admin.post("/integrations", { kind: "syslog", name: "collector", target: `tcp://127.0.0.1:${collector.port}` })).status).toBe(201);
      expect((await admin.post("/integrations", { kind: "syslog", name: "collector", target: `tcp://127.0.0.1:${collector.port}` })).status).toBe(409);
      const reserved = await admin.post<{ error: { field: string } }>("/integrations", { kind: "webhook", name: "webhook", url: siem.url, secret });
      expect([reserved.status, reserved.body.error.field]).toEqual([422, "name"]);
      expect((await admin.post("/integrations", { kind: "file", name: "disk", path: "/etc/passwd" })).status).toBe(422);

      // Each gets the whole trail, then what follows.
      await makeChanges(2);
      const last = await headSeq();
      await waitFor(async () => siem.has(1, last) && collector.has(1, last), Boolean, 30_000, `the admin's sinks up to ${last}`);
      expect([siem.badSignatures, siem.gaps, collector.gaps]).toEqual([0, [], []]);

      const raw = await openRawDatabase(warren);
      try {
        const row = (await raw.get<{ source: string; target: string; configEnc: string }>(
          `SELECT source, target, "configEnc" FROM "AuditSink" WHERE name = 'siem'`,
        ))!;
        expect(row).toMatchObject({ source: "admin", target: siem.url });
        expect(row.configEnc).toMatch(/^v1:/);
        expect(row.configEnc).not.toMatch(/receiver-key|another secret/);
      } finally {
        await raw.close();
      }

      expect((await admin.delete("/integrations/siem")).status).toBe(200);
      expect((await admin.delete("/integrations/siem")).status).toBe(404);
      expect((await admin.delete("/integrations/webhook")).status).toBe(409);
      expect((await sinks()).map((candidate) => candidate.name)).toEqual(["webhook", "syslog", "file", "collector"]);
      // What follows reaches the sink still there, not the one removed.
      await makeChanges(1);
      const after = await headSeq();
      await waitFor(async () => collector.has(1, after), Boolean, 30_000, "the collector up to date");
      expect(siem.has(after, after)).toBe(false);

      const { events } = (await admin.get<{ events: { action: string; subjectId: string; details: Record<string, unknown> }[] }>("/audit?action=integration.*"))
        .body;
      expect(events.map((event) => [event.action, event.subjectId, event.details.target])).toEqual([
        ["integration.deleted", "siem", siem.url],
        ["integration.created", "collector", `tcp://127.0.0.1:${collector.port}`],
        ["integration.created", "siem", siem.url],
      ]);
      expect(JSON.stringify(events)).not.toMatch(/receiver-key|another secret/);
      expect((await admin.delete("/integrations/collector")).status).toBe(200);
    } finally {
      await Promise.all([siem.close(), collector.close()]);
    }
  });
});

describe("syslog over TLS", () => {
  let dir: string;
  let secure: SyslogListener;
  let trusting: WarrenHandle;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "warren-syslog-tls-"));
    const { key, cert, caFile } = privateCa(dir);
    secure = await startSyslogListener({ key, cert });
    // The collector's certificate is signed by a private CA, which Warren is told to trust.
    trusting = await startWarren({ env: { WARREN_AUDIT_SYSLOG: `tls://localhost:${secure.port}`, NODE_EXTRA_CA_CERTS: caFile } });
  });

  afterAll(async () => {
    await trusting?.dispose();
    await secure?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("delivers every record to a collector whose certificate verifies, and none to one whose does not", async () => {
    await trusting.createUser({ email: "admin@example.com", password: "correct horse battery", admin: true });
    const client = apiClient(trusting.url, await trusting.createToken("admin@example.com"));
    const state = async () => (await client.get<{ sinks: Sink[] }>("/integrations")).body.sinks.find((s) => s.name === "syslog")!;
    const head = await waitFor(state, (s) => s.headSeq >= 2 && s.deliveredSeq === s.headSeq, 30_000, "the TLS syslog sink to catch up");
    expect(secure.has(1, head.headSeq)).toBe(true);
    expect(secure.gaps).toEqual([]);

    // The same collector, to a Warren that does not trust its CA: nothing goes, and the sink says why.
    const doubting = await startWarren({ env: { WARREN_AUDIT_SYSLOG: `tls://localhost:${secure.port}` } });
    try {
      await doubting.createUser({ email: "admin@example.com", password: "correct horse battery", admin: true });
      const other = apiClient(doubting.url, await doubting.createToken("admin@example.com"));
      const refused = await waitFor(
        async () => (await other.get<{ sinks: Sink[] }>("/integrations")).body.sinks.find((s) => s.name === "syslog")!,
        (s) => s.lastError !== null,
        30_000,
        "the untrusted collector to be refused",
      );
      expect(refused.deliveredSeq).toBe(0);
      expect(refused.lastError).toMatch(/certificate/i);
    } finally {
      await doubting.dispose();
    }
  }, 120_000);
});
