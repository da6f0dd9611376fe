import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuditRecordDto } from "@/lib/audit/audit-log";
import { jsonlLine, octetCountedFrame, syslogMessage, webhookBody, webhookSignature, webhookTarget } from "@/lib/audit/audit-stream-format";
import { parseOctetCountedFrames, parseSyslogMessage } from "@/tests/harness/audit-receivers";

const record = (seq: number, overrides: Partial<AuditRecordDto> = {}): AuditRecordDto => ({
  seq,
  at: "2026-12-05T10:00:00.000Z",
  actorType: "user",
  actorId: "u1",
  actorEmail: "zoë@example.com",
  actorIp: "127.0.0.1",
  userAgent: null,
  action: "tunnel.opened",
  hostId: null,
  tunnelId: "t1",
  subjectId: null,
  details: { note: 'a "quoted" ] bracket' },
  prevHash: "0".repeat(64),
  hash: "a".repeat(64),
  ...overrides,
});

describe("webhook bodies", () => {
  it("carry the records with their seqs, signed with HMAC-SHA256 of the raw body", () => {
    const body = webhookBody([record(1), record(2)]);
    expect((JSON.parse(body) as { records: AuditRecordDto[] }).records.map((each) => each.seq)).toEqual([1, 2]);
    const signature = webhookSignature(body, "a webhook secret of some length");
    expect(signature).toBe(`sha256=${createHmac("sha256", "a webhook secret of some length").update(body, "utf8").digest("hex")}`);
    expect(webhookSignature(`${body} `, "a webhook secret of some length")).not.toBe(signature);
  });

  it("name their target without credentials, query or fragment", () => {
    expect(webhookTarget("https://user:pass@siem.example.com:8443/in/warren?token=secret#x")).toBe("https://siem.example.com:8443/in/warren");
  });
});

describe("syslog frames", () => {
  it("are RFC 5424 messages counted in bytes (RFC 6587), with the seq in structured data", () => {
    const frames = Buffer.concat(
      [record(7), record(8, { action: "tunnel closed\n" })].map((each) => octetCountedFrame(syslogMessage(each, { hostname: "bastion 1", procId: 42 }))),
    );
    // Cut in the middle of a multibyte character: the rest waits for more.
    const { frames: whole, rest } = parseOctetCountedFrames(frames.subarray(0, frames.length - 3));
    expect(whole).toHaveLength(1);
    expect(rest.length).toBeGreaterThan(0);
    const parsed = parseOctetCountedFrames(frames).frames.map(parseSyslogMessage);
    expect(parsed.map((message) => [message.pri, message.timestamp, message.hostname, message.app, message.procId, message.msgId])).toEqual([
      [110, "2026-12-05T10:00:00.000Z", "bastion1", "warren", "42", "tunnel.opened"],
      [110, "2026-12-05T10:00:00.000Z", "bastion1", "warren", "42", "tunnelclosed"],
    ]);
    expect(parsed[0]!.sd).toBe(`[warren@32473 seq="7" hash="${"a".repeat(64)}"]`);
    expect(parsed.map((message) => message.record)).toEqual([record(7), record(8, { action: "tunnel closed\n" })]);
  });

  it("count bytes, not characters", () => {
    const message = "zoë";
    expect(octetCountedFrame(message).toString("utf8")).toBe("4 zoë");
  });
});

describe("JSONL lines", () => {
  it("hold one record each", () => {
    const line = jsonlLine(record(3));
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual(record(3));
  });
});
