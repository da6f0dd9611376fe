import { ApiError } from "@/lib/api/api-error";

const MAX_BODY_BYTES = 64 * 1024;

/** The request's JSON body, refusing oversized (413) and malformed (400) ones. */
export async function readJson(req: Request, { optional = false } = {}): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError({ code: "payload_too_large", message: `the body is larger than ${MAX_BODY_BYTES / 1024} KiB` });
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new ApiError({ code: "payload_too_large", message: `the body is larger than ${MAX_BODY_BYTES / 1024} KiB` });
  }
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
