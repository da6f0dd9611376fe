// What audit streaming sends, free of sockets and files: a webhook's body and
// its signature, a syslog message (RFC 5424) in its octet-counted frame
// (RFC 6587), a JSONL line. Every form carries the record's seq, by which a
// receiver drops the repeats at-least-once delivery may bring.
import { createHmac } from "node:crypto";
import type { AuditRecordDto } from "@/lib/audit/audit-log";

export const SIGNATURE_HEADER = "X-Warren-Signature";

/** A webhook's JSON body: the records, oldest first. */
export function webhookBody(records: AuditRecordDto[]): string {
  return JSON.stringify({ records });
}

/** `sha256=<hex>`: the HMAC-SHA256 of the raw body, keyed with WARREN_AUDIT_WEBHOOK_SECRET. */
export function webhookSignature(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A webhook URL as pages and logs show it: no credentials, query or fragment (where secrets go). */
export function webhookTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** The private enterprise number RFC 5612 sets aside for documentation, naming Warren's structured data. */
export const SYSLOG_SD_ID = "warren@32473";
// Facility 13 (log audit), severity 6 (informational).
const SYSLOG_PRI = 13 * 8 + 6;
const UTF8_BOM = "\uFEFF";

/** RFC 5424's PRINTUSASCII fields (HOSTNAME, MSGID): at most `max` of them, "-" when none. */
function printable(value: string, max: number): string {
  return value.replace(/[^\x21-\x7e]/g, "").slice(0, max) || "-";
}

/** A structured data value: `"`, `\` and `]` escaped (RFC 5424 6.3.3). */
const sdValue = (value: string) => value.replace(/["\\\]]/g, (character) => `\\${character}`);

/** One record as an RFC 5424 message: MSGID its action, structured data its
 *  seq and hash, MSG the record's JSON (UTF-8, after the BOM the RFC asks for). */
export function syslogMessage(record: AuditRecordDto, { hostname, procId }: { hostname: string; procId: number }): string {
  const sd = `[${SYSLOG_SD_ID} seq="${record.seq}" hash="${sdValue(record.hash)}"]`;
  return `<${SYSLOG_PRI}>1 ${record.at} ${printable(hostname, 255)} warren ${procId} ${printable(record.action, 32)} ${sd} ${UTF8_BOM}${JSON.stringify(record)}`;
}

/** A message in RFC 6587's octet-counting frame: its length in bytes, a space, the message. */
export function octetCountedFrame(message: string): Buffer {
  const bytes = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${bytes.length} `), bytes]);
}

/** One record, one line of JSON. */
export function jsonlLine(record: AuditRecordDto): string {
  return `${JSON.stringify(record)}\n`;
}
