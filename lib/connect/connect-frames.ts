// The wire of `warren connect` (docs/api.md, "Connect"): one WebSocket per
// TCP connection at /api/v1/tunnels/:id/connect. Binary frames are the
// connection's bytes; a text frame is a control message; the close code says
// how the connection ended. Shared by the server and the laptop client's
// bundle, so it imports nothing.

/** The path a connection upgrades at; the tunnel's id is its first group. */
export const CONNECT_PATH = /^\/api\/v1\/tunnels\/([A-Za-z0-9_-]{1,64})\/connect$/;

/** Largest data frame either side sends; both refuse a larger one. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Largest frame accepted: a data frame, and room for a control message. */
export const MAX_PAYLOAD_BYTES = MAX_FRAME_BYTES + 1024;

/** Bytes either side may have sent and not yet seen taken onward before it stops reading. */
export const RELAY_WINDOW_BYTES = 1024 * 1024;

/** Pings so that proxies do not cut an idle connection; no pong by the next one ends it. */
export const PING_INTERVAL_MS = 20_000;

/** `end`: no more bytes this way (TCP's FIN), the other way stays open. */
export type ControlFrame = { type: "end" };

/** How a connection ended, as WebSocket close codes. */
export const CLOSE = {
  /** Both ways ended and all was delivered. */
  done: 1000,
  /** The connection was reset (an unreachable target, an RST): the reason says why. */
  reset: 4000,
  /** Access ended (the tunnel closed or expired, the person lost access, the token was revoked): the reason says why. */
  revoked: 4001,
} as const;

export const END_FRAME = JSON.stringify({ type: "end" } satisfies ControlFrame);

/** A control frame's message, or null when it is not one. */
export function parseControl(text: string): ControlFrame | null {
  try {
    const frame = JSON.parse(text) as { type?: unknown };
    return frame?.type === "end" ? { type: "end" } : null;
  } catch {
    return null;
  }
}

/** A close reason fits in a close frame (123 bytes of UTF-8). */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = `${reason.slice(0, reason.length - 2)}…`;
  return reason;
}
