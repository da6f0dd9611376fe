// How records reach each kind of audit sink. `deliver` resolves once the sink
// has acknowledged the whole batch (a webhook's 2xx; syslog: the frames
// written to the socket; the file: the lines written and fsynced) and throws
// otherwise; the caller retries the batch, so a sink may see it twice.
import { open, rename, stat } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import type { AuditRecordDto } from "@/lib/audit/audit-log";
import { jsonlLine, octetCountedFrame, SIGNATURE_HEADER, syslogMessage, webhookBody, webhookSignature } from "@/lib/audit/audit-stream-format";
import type { AuditFileConfig, AuditSyslogConfig, AuditWebhookConfig } from "@/lib/config";

/** A sink that answers nothing within this long has failed the attempt. */
export const SINK_TIMEOUT_MS = 10_000;

export type SinkTransport = {
  deliver(records: AuditRecordDto[], signal: AbortSignal): Promise<void>;
  /** A seq to deliver again after: records written before a break the sink may not have received (syslog). */
  takeRewind?(): number | null;
  close(): Promise<void>;
};

/** `attempt`, given a signal that aborts it, rejected after SINK_TIMEOUT_MS or when `signal` aborts. The
 *  deadline does not rely on the abort alone: fetch may lose an abort signal's link once garbage collected. */
async function withDeadline<T>(signal: AbortSignal, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => controller.abort(new Error("stopped"));
  signal.addEventListener("abort", onAbort, { once: true });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${SINK_TIMEOUT_MS / 1000} s`);
      controller.abort(error);
      reject(error);
    }, SINK_TIMEOUT_MS);
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([attempt(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

/** POSTs each batch as one signed JSON body; anything but a 2xx (a redirect too) is a failure. */
export function webhookTransport({ url, secret }: AuditWebhookConfig): SinkTransport {
  return {
    async deliver(records, signal) {
      const body = webhookBody(records);
      const response = await withDeadline(signal, async (attemptSignal) => {
        const answer = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "Warren audit streaming", [SIGNATURE_HEADER]: webhookSignature(body, secret) },
          body,
          redirect: "manual",
          signal: attemptSignal,
        });
        await answer.body?.cancel();
        return answer;
      });
      if (response.status < 200 || response.status > 299)
        throw new Error(`the webhook answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
    },
    close: async () => {},
  };
}

/** One long-lived connection, opened again after it breaks. A frame written
 *  to the socket counts as delivered; when the connection breaks, the last
 *  batch written on it is sent again on the next (the kernel may have held
 *  it unsent), and the receiver drops what it already had by seq. */
export function syslogTransport(config: AuditSyslogConfig, hostname = os.hostname()): SinkTransport {
  let socket: net.Socket | null = null;
  let lastBatchFrom: number | null = null;
  let rewind: number | null = null;

  const connect = (signal: AbortSignal) =>
    new Promise<net.Socket>((resolve, reject) => {
      const options = { host: config.host, port: config.port };
      const opened =
        config.protocol === "tls" ? tls.connect({ ...options, servername: net.isIP(config.host) ? undefined : config.host }) : net.connect(options);
      const ready = config.protocol === "tls" ? "secureConnect" : "connect";
      const fail = (error: Error) => {
        opened.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`no connection to ${config.host}:${config.port} within ${SINK_TIMEOUT_MS / 1000} s`)), SINK_TIMEOUT_MS);
      const onAbort = () => fail(new Error("stopped"));
      signal.addEventListener("abort", onAbort, { once: true });
      opened.once("error", fail);
      opened.once(ready, () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        opened.off("error", fail);
        opened.on("error", () => {});
        // Collectors send nothing back; whatever they do is read and dropped.
        opened.resume();
        opened.once("close", () => {
          if (socket !== opened) return;
          socket = null;
          if (lastBatchFrom !== null) rewind = lastBatchFrom - 1;
        });
        resolve(opened);
      });
    });

  return {
    async deliver(records, signal) {
      socket ??= await connect(signal);
      const current = socket;
      const frames = Buffer.concat(records.map((record) => octetCountedFrame(syslogMessage(record, { hostname, procId: process.pid }))));
      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error) => {
          current.destroy();
          reject(error);
        };
        const timer = setTimeout(() => fail(new Error(`the collector took no data for ${SINK_TIMEOUT_MS / 1000} s`)), SINK_TIMEOUT_MS);
        const onAbort = () => fail(new Error("stopped"));
        signal.addEventListener("abort", onAbort, { once: true });
        current.write(frames, (error) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          if (error) fail(error);
          else resolve();
        });
      });
      lastBatchFrom = records[0]!.seq;
    },
    takeRewind() {
      const seq = rewind;
      rewind = null;
      return seq;
    },
    async close() {
      const current = socket;
      socket = null;
      if (!current) return;
      await new Promise<void>((resolve) => {
        current.once("close", () => resolve());
        current.end();
        setTimeout(() => current.destroy(), 1_000).unref();
      });
    },
  };
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** Appends lines and fsyncs them. Before a batch that would take the file
 *  past its size, it becomes `<path>.1` (the older ones move up a number,
 *  `<path>.<keep>` is dropped) and a new file is started. A write that fails
 *  is cut back off, so no half line stays. */
export function fileTransport(config: AuditFileConfig): SinkTransport {
  const rotate = async () => {
    for (let index = config.keep - 1; index >= 1; index--) {
      const from = `${config.path}.${index}`;
      if (await exists(from)) await rename(from, `${config.path}.${index + 1}`);
    }
    await rename(config.path, `${config.path}.1`);
    const dir = await open(path.dirname(config.path), "r");
    await dir.sync().finally(() => dir.close());
  };
  return {
    async deliver(records) {
      const data = Buffer.from(records.map(jsonlLine).join(""));
      const size = await stat(config.path).then(
        (stats) => stats.size,
        () => 0,
      );
      if (size > 0 && size + data.length > config.maxBytes) await rotate();
      const handle = await open(config.path, "a", 0o600);
      try {
        const before = (await handle.stat()).size;
        try {
          await handle.write(data);
          await handle.sync();
        } catch (error) {
          await handle.truncate(before).catch(() => {});
          throw error;
        }
      } finally {
        await handle.close();
      }
    },
    close: async () => {},
  };
}
