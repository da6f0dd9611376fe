import { ApiError } from "@/lib/api/api-error";

const MAX_BODY_BYTES = 64 * 1024;

// Answering before the client has finished sending makes the kernel reset the
// connection, and the client never reads the 413: so the rest is read and
// dropped, up to a bound, before answering.
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 1_000;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>) {
  let timer: NodeJS.Timeout | undefined;
  // A client that claims more than it sends must not hold the request open.
  const deadline = new Promise<{ done: true }>((resolve) => (timer = setTimeout(() => resolve({ done: true }), DRAIN_MS)));
  let drained = 0;
  for (;;) {
    const chunk = await Promise.race([reader.read(), deadline]);
    if (chunk.done || !("value" in chunk) || !chunk.value) break;
    drained += chunk.value.byteLength;
    if (drained >= DRAIN_BYTES) break;
  }
  clearTimeout(timer);
  void reader.cancel().catch(() => {});
}

async function tooLarge(reader?: ReadableStreamDefaultReader<Uint8Array>): Promise<never> {
  if (reader) await drain(reader);
  throw new ApiError({ code: "payload_too_large", message: `the body is larger than ${MAX_BODY_BYTES / 1024} KiB` });
}

/** Reads the body as text, giving up as soon as it passes the limit (a
 *  chunked body has no length to check up front). */
async function readLimited(req: Request): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > MAX_BODY_BYTES) return tooLarge(reader);
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The request's JSON body, refusing oversized (413) and malformed (400) ones. */
async function readJson(req: Request, { optional = false } = {}): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return tooLarge(req.body?.getReader());
  const text = await readLimited(req);
  if (optional && text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError({ code: "bad_request", message: "the body must be JSON" });
  }
}

/** Like readJson, for bodies that must be a JSON object. */
export async function readJsonObject(req: Request, options: { optional?: boolean } = {}): Promise<Record<string, unknown>> {
  const body = await readJson(req, options);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError({ code: "bad_request", message: "the body must be a JSON object" });
  }
  return body as Record<string, unknown>;
}
