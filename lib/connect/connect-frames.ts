// The wire of `warren connect` (docs/api.md, "Connect"): one WebSocket per
// client at /api/v1/tunnels/:id/connect carries all its TCP connections as
// numbered streams. A binary frame is a stream's bytes behind its number (4
// bytes, big-endian); a text frame is a control message. Shared by the server
// and the laptop client's bundle, so it imports nothing.

/** The paths a client upgrades at: the tunnel's id, then `connect` (carry connections in) or `expose` (hold a remote tunnel's far end). */
export const TUNNEL_SOCKET_PATH = /^\/api\/v1\/tunnels\/([A-Za-z0-9_-]{1,64})\/(connect|expose)$/;

/** Bytes of a data frame before its payload: the stream's number. */
export const STREAM_HEADER_BYTES = 4;

/** Largest payload of a data frame either side sends; a larger one ends the session. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Largest frame accepted: a data frame with its header, or a control message. */
export const MAX_PAYLOAD_BYTES = MAX_FRAME_BYTES + 64 * 1024;

/** Bytes a side may send on one stream before the other credits them back (taken onward). */
export const STREAM_WINDOW_BYTES = 1024 * 1024;

/** Pings so that proxies do not cut an idle session; no pong by the next one ends it. */
export const PING_INTERVAL_MS = 20_000;

/** The largest stream number (u32). */
const MAX_STREAM = 0xffff_ffff;

/**
 * - `open`: the side that accepted a TCP connection starts a stream.
 * - `end`: no more bytes this way on the stream (TCP's FIN); the other way stays open.
 * - `reset`: the stream ended abnormally (an unreachable target, an RST, a refusal), with why.
 * - `close`: the stream is over and everything was delivered.
 * - `credit`: bytes of each stream taken onward, so the sender may send as many again.
 */
export type ControlFrame =
  | { type: "open"; stream: number }
  | { type: "end"; stream: number }
  | { type: "reset"; stream: number; reason: string }
  | { type: "close"; stream: number }
  | { type: "credit"; credits: [stream: number, bytes: number][] };

/** How a session ended, as WebSocket close codes. */
export const CLOSE = {
  /** The client stopped. */
  done: 1000,
  /** Warren is stopping (a restart, an upgrade): the client attaches again. */
  goingAway: 1001,
  /** A side broke the protocol: the reason says how. */
  protocol: 4000,
  /** Access ended (the tunnel closed or expired, the person lost access, the token was revoked): the reason says why. */
  revoked: 4001,
} as const;

const isStream = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_STREAM;
const isBytes = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0 && (value as number) <= Number.MAX_SAFE_INTEGER;

/** A control frame, or null when the text is not a well-formed one. */
export function parseControl(text: string): ControlFrame | null {
  let frame: Record<string, unknown>;
  try {
    frame = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof frame !== "object" || frame === null) return null;
  const { type, stream } = frame;
  if (type === "credit") {
    const { credits } = frame;
    if (!Array.isArray(credits) || !credits.every((pair) => Array.isArray(pair) && pair.length === 2 && isStream(pair[0]) && isBytes(pair[1]))) return null;
    return { type, credits: credits as [number, number][] };
  }
  if (!isStream(stream)) return null;
  if (type === "open" || type === "end" || type === "close") return { type, stream };
  if (type === "reset") return { type, stream, reason: typeof frame.reason === "string" ? frame.reason.slice(0, 500) : "reset" };
  return null;
}

/** What goes in front of a stream's bytes: its number. */
export function streamHeader(stream: number): Buffer {
  const header = Buffer.allocUnsafe(STREAM_HEADER_BYTES);
  header.writeUInt32BE(stream, 0);
  return header;
}

/** A close reason fits in a close frame (123 bytes of UTF-8). */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = `${reason.slice(0, reason.length - 2)}…`;
  return reason;
}
