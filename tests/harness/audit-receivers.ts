// Receivers of Warren's audit streaming for tests: a webhook (node:http)
// that checks each body's signature, and a syslog collector (node:net) that
// reads RFC 6587 octet-counted frames. Both keep every record by seq, as a
// real receiver drops repeats, and note any batch that skipped ahead.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import net from "node:net";
import tls from "node:tls";

export type StreamedRecord = { seq: number; action: string; hash: string; prevHash: string; details: Record<string, unknown> };

/** Records kept by seq; `gaps`: arrivals whose seq was beyond the next one expected (a record skipped). */
class SeqLog {
  readonly bySeq = new Map<number, StreamedRecord>();
  readonly gaps: string[] = [];
  deliveries = 0;

  add(records: StreamedRecord[]) {
    for (const record of records) {
      const next = this.bySeq.size === 0 ? record.seq : Math.max(...this.bySeq.keys()) + 1;
      if (record.seq > next) this.gaps.push(`got ${record.seq} while ${next} was next`);
      this.bySeq.set(record.seq, record);
      this.deliveries += 1;
    }
  }

  /** Whether every seq from `first` to `last` arrived. */
  has(first: number, last: number): boolean {
    for (let seq = first; seq <= last; seq++) if (!this.bySeq.has(seq)) return false;
    return true;
  }
}

export type WebhookReceiver = SeqLog & {
  url: string;
  port: number;
  /** Bodies whose X-Warren-Signature did not match. */
  badSignatures: number;
  /** "down": answers 503 to everything, keeping nothing; "hang": never answers. */
  mode: "up" | "down" | "hang";
  /** Stops listening (connections refused) and starts again on the same port. */
  close(): Promise<void>;
  listen(): Promise<void>;
};

function verified(body: Buffer, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startWebhookReceiver(secret: string, port = 0): Promise<WebhookReceiver> {
  const log = new SeqLog() as WebhookReceiver;
  log.badSignatures = 0;
  log.mode = "up";
  let server: Server | null = null;
  log.listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          if (log.mode === "hang") return;
          if (log.mode === "down") {
            res.writeHead(503).end();
            return;
          }
          const body = Buffer.concat(chunks);
          if (!verified(body, req.headers["x-warren-signature"] as string | undefined, secret)) {
            log.badSignatures += 1;
            res.writeHead(401).end();
            return;
          }
          log.add((JSON.parse(body.toString("utf8")) as { records: StreamedRecord[] }).records);
          res.writeHead(204).end();
        });
      });
      server.once("error", reject);
      server.listen(port || log.port || 0, "127.0.0.1", () => {
        const address = server!.address() as net.AddressInfo;
        log.port = address.port;
        log.url = `http://127.0.0.1:${address.port}/audit`;
        resolve();
      });
    });
  log.close = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = null;
    });
  await log.listen();
  return log;
}

/** Splits RFC 6587 octet-counted frames (`<length> <message>`) off the front of `buffer`; `rest` is an unfinished frame. */
export function parseOctetCountedFrames(buffer: Buffer): { frames: string[]; rest: Buffer } {
  const frames: string[] = [];
  let offset = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(buffer.subarray(offset, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) throw new Error(`not an octet count: ${buffer.subarray(offset, space).toString()}`);
    if (buffer.length < space + 1 + length) break;
    frames.push(buffer.subarray(space + 1, space + 1 + length).toString("utf8"));
    offset = space + 1 + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** An RFC 5424 message's parts: PRI, version, timestamp, host, app, procid, msgid, structured data, MSG. */
const SYSLOG_MESSAGE = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[(?:[^\]\\]|\\.)*\]|-) \uFEFF?([\s\S]*)$/;

export function parseSyslogMessage(message: string) {
  const match = SYSLOG_MESSAGE.exec(message);
  if (!match) throw new Error(`not an RFC 5424 message: ${message.slice(0, 200)}`);
  const [, pri, timestamp, hostname, app, procId, msgId, sd, msg] = match;
  return { pri: Number(pri), timestamp, hostname, app, procId, msgId, sd: sd!, record: JSON.parse(msg!) as StreamedRecord };
}

export type SyslogListener = SeqLog & { port: number; frames: string[]; close(): Promise<void> };

/** `certificate`: listen with TLS (RFC 5425) under this key and certificate. */
export async function startSyslogListener(certificate?: { key: Buffer; cert: Buffer }): Promise<SyslogListener> {
  const log = new SeqLog() as SyslogListener;
  log.frames = [];
  const sockets = new Set<net.Socket>();
  const receive = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      const { frames, rest } = parseOctetCountedFrames(Buffer.concat([pending, chunk]));
      pending = Buffer.from(rest);
      log.frames.push(...frames);
      log.add(frames.map((frame) => parseSyslogMessage(frame).record));
    });
  };
  const server = certificate ? tls.createServer(certificate, receive) : net.createServer(receive);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  log.port = (server.address() as net.AddressInfo).port;
  log.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return log;
}
