// Server side of the SOCKS handshake for dynamic (`ssh -D` style) tunnels:
// RFC 1928 SOCKS5 without authentication and SOCKS4/4a, CONNECT only. The
// forwarding itself (client.forwardOut) lives elsewhere.
//
// Why hand-written: the maintained SOCKS packages on npm are clients (`socks`);
// the server-side ones (`socksv5`, last released years ago) are unmaintained
// and throw or hang on malformed input. The part Warren needs is small, and
// owning it lets malformed input close exactly one connection with a reason a
// person can read.

import { isIPv4, isIPv6 } from "node:net";
import type { Duplex } from "node:stream";

export class SocksError extends Error {
  override readonly name = "SocksError";

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

export type ParseResult<T> = { kind: "incomplete" } | { kind: "invalid"; reason: string; reply?: Buffer } | { kind: "ok"; value: T; consumed: number };

export type SocksAddressType = "ipv4" | "ipv6" | "domain";

/** Where the client wants to go. IP literals sent as a domain name are
 *  reported as IPs, and IPv6 is always canonical (RFC 5952), so each address
 *  has one spelling for whoever applies policy to it. */
export type SocksTarget = { host: string; port: number; addressType: SocksAddressType };

export type Socks5Greeting = { methods: number[] };

export type SocksReplyCode =
  | "succeeded"
  | "general-failure"
  | "not-allowed"
  | "network-unreachable"
  | "host-unreachable"
  | "connection-refused"
  | "ttl-expired"
  | "command-not-supported"
  | "address-type-not-supported";

const SOCKS5_REPLY: Record<SocksReplyCode, number> = {
  succeeded: 0x00,
  "general-failure": 0x01,
  "not-allowed": 0x02,
  "network-unreachable": 0x03,
  "host-unreachable": 0x04,
  "connection-refused": 0x05,
  "ttl-expired": 0x06,
  "command-not-supported": 0x07,
  "address-type-not-supported": 0x08,
};

const SOCKS4_GRANTED = 0x5a;
const SOCKS4_REJECTED = 0x5b;
const NO_AUTH = 0x00;
const NO_ACCEPTABLE_METHODS = Buffer.from([0x05, 0xff]);
const NO_AUTH_SELECTED = Buffer.from([0x05, NO_AUTH]);
const CONNECT = 0x01;
const COMMAND_NAMES: Record<number, string> = { 1: "CONNECT", 2: "BIND", 3: "UDP ASSOCIATE" };
/** SOCKS4 strings are NUL-terminated with no length prefix; 255 matches the
 *  SOCKS5 limits and bounds a SOCKS4a request to 520 bytes. */
const MAX_SOCKS4_STRING = 255;
const HOSTNAME = /^[A-Za-z0-9._-]+$/;

export type SocksAddress = { host: string; port: number };
const UNSPECIFIED: SocksAddress = { host: "0.0.0.0", port: 0 };

// ---------------------------------------------------------------- addresses

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

/** Eight 16-bit groups of an IPv6 literal (with or without an embedded IPv4
 *  tail), or undefined if `text` is not one; zone ids are not addresses. */
function ipv6Groups(text: string): number[] | undefined {
  if (!isIPv6(text) || text.includes("%")) return undefined;
  const hexOnly = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((group) => group.toString(16)).join(":"),
  );
  const [head = "", tail = ""] = hexOnly.split("::");
  const groupsOf = (part: string) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const left = groupsOf(head);
  const right = groupsOf(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text: lowercase, no leading zeros, the first longest run of two
 *  or more zero groups shortened to "::". */
function formatIPv6(groups: number[]): string {
  let best = { start: -1, length: 1 };
  for (let start = 0; start < groups.length; start++) {
    let end = start;
    while (groups[end] === 0) end++;
    if (end - start > best.length) best = { start, length: end - start };
  }
  const text = groups.map((group) => group.toString(16));
  if (best.start < 0) return text.join(":");
  return `${text.slice(0, best.start).join(":")}::${text.slice(best.start + best.length).join(":")}`;
}

function readIPv6(buffer: Buffer, offset: number): string {
  return formatIPv6(Array.from({ length: 8 }, (_, i) => buffer.readUInt16BE(offset + 2 * i)));
}

function readIPv4(buffer: Buffer, offset: number): string {
  return [...buffer.subarray(offset, offset + 4)].join(".");
}

type DomainCheck = { error: string } | Omit<SocksTarget, "port">;

function checkDomain(bytes: Buffer): DomainCheck {
  if (bytes.length === 0) return { error: "SOCKS: empty domain name" };
  if (bytes.some((byte) => byte < 0x20 || byte === 0x7f)) return { error: "SOCKS: domain name contains control characters" };
  const text = bytes.toString("latin1");
  const groups = ipv6Groups(text);
  if (groups) return { host: formatIPv6(groups), addressType: "ipv6" };
  if (isIPv4(text)) return { host: text, addressType: "ipv4" };
  if (!HOSTNAME.test(text)) {
    const byte = bytes.find((b) => !HOSTNAME.test(String.fromCharCode(b))) ?? 0;
    return { error: `SOCKS: domain name contains ${hex(byte)}, which is not allowed in a host name` };
  }
  return { host: text, addressType: "domain" };
}

// ------------------------------------------------------------------ replies

/** BND.ADDR must be an IP literal; anything else is sent as 0.0.0.0, which
 *  CONNECT clients ignore (ssh2's forwardOut reports no bound address). */
export function encodeSocks5Reply(result: SocksReplyCode, bound: SocksAddress = UNSPECIFIED): Buffer {
  const groups = ipv6Groups(bound.host);
  const address = groups
    ? Buffer.from([0x04, ...groups.flatMap((group) => [group >> 8, group & 0xff])])
    : Buffer.from([0x01, ...(isIPv4(bound.host) ? bound.host.split(".").map(Number) : [0, 0, 0, 0])]);
  const port = Buffer.alloc(2);
  port.writeUInt16BE(bound.port);
  return Buffer.concat([Buffer.from([0x05, SOCKS5_REPLY[result], 0x00]), address, port]);
}

/** SOCKS4 knows only granted or rejected, and only IPv4 bound addresses. */
export function encodeSocks4Reply(result: SocksReplyCode, bound: SocksAddress = UNSPECIFIED): Buffer {
  const reply = Buffer.alloc(8);
  reply[1] = result === "succeeded" ? SOCKS4_GRANTED : SOCKS4_REJECTED;
  reply.writeUInt16BE(bound.port, 2);
  if (isIPv4(bound.host)) reply.set(bound.host.split(".").map(Number), 4);
  return reply;
}

// ------------------------------------------------------------------ parsers

function commandError(command: number): string {
  return `SOCKS: unsupported command ${COMMAND_NAMES[command] ?? hex(command)}`;
}

export function parseSocks5Greeting(buffer: Buffer): ParseResult<Socks5Greeting> {
  if (buffer.length < 1) return { kind: "incomplete" };
  const version = buffer.readUInt8(0);
  if (version !== 5) return { kind: "invalid", reason: `SOCKS: expected a SOCKS5 greeting, got version ${hex(version)}` };
  if (buffer.length < 2) return { kind: "incomplete" };
  const count = buffer.readUInt8(1);
  if (count === 0) return { kind: "invalid", reason: "SOCKS: client offered no authentication methods", reply: NO_ACCEPTABLE_METHODS };
  if (buffer.length < 2 + count) return { kind: "incomplete" };
  const methods = [...buffer.subarray(2, 2 + count)];
  if (!methods.includes(NO_AUTH)) {
    const offered = methods.map(hex).join(", ");
    const reason = `SOCKS: client requires authentication (offered methods ${offered}); only no-auth is supported`;
    return { kind: "invalid", reason, reply: NO_ACCEPTABLE_METHODS };
  }
  return { kind: "ok", value: { methods }, consumed: 2 + count };
}

function socks5Invalid(reason: string, code: SocksReplyCode = "general-failure"): ParseResult<never> {
  return { kind: "invalid", reason, reply: encodeSocks5Reply(code) };
}

/** Checks each header byte as soon as it arrives, so a bad request fails
 *  without waiting for bytes it will never need. RSV must be 0: every client
 *  Warren expects sends 0, and anything else means the stream is not SOCKS5
 *  or is out of step. */
export function parseSocks5Request(buffer: Buffer): ParseResult<SocksTarget> {
  const [version, command, reserved, addressType] = buffer;
  if (version === undefined) return { kind: "incomplete" };
  if (version !== 5) return socks5Invalid(`SOCKS: request has version ${hex(version)}, expected 0x05`);
  if (command === undefined) return { kind: "incomplete" };
  if (command !== CONNECT) return socks5Invalid(commandError(command), "command-not-supported");
  if (reserved === undefined) return { kind: "incomplete" };
  if (reserved !== 0) return socks5Invalid(`SOCKS: reserved byte is ${hex(reserved)}, expected 0x00`);
  if (addressType === undefined) return { kind: "incomplete" };
  const address = readSocks5Address(buffer, addressType);
  if (address.kind !== "ok") return address;
  const end = 4 + address.consumed;
  if (buffer.length < end + 2) return { kind: "incomplete" };
  const port = buffer.readUInt16BE(end);
  if (port === 0) return socks5Invalid("SOCKS: destination port 0 is not valid");
  return { kind: "ok", value: { ...address.value, port }, consumed: end + 2 };
}

function readSocks5Address(buffer: Buffer, addressType: number): ParseResult<Omit<SocksTarget, "port">> {
  const incomplete = { kind: "incomplete" } as const;
  switch (addressType) {
    case 0x01:
      if (buffer.length < 8) return incomplete;
      return { kind: "ok", value: { host: readIPv4(buffer, 4), addressType: "ipv4" }, consumed: 4 };
    case 0x04:
      if (buffer.length < 20) return incomplete;
      return { kind: "ok", value: { host: readIPv6(buffer, 4), addressType: "ipv6" }, consumed: 16 };
    case 0x03: {
      const length = buffer[4];
      if (length === undefined || buffer.length < 5 + length) return incomplete;
      const domain = checkDomain(buffer.subarray(5, 5 + length));
      if ("error" in domain) return socks5Invalid(domain.error);
      return { kind: "ok", value: domain, consumed: 1 + length };
    }
    default:
      return socks5Invalid(`SOCKS: unsupported address type ${hex(addressType)}`, "address-type-not-supported");
  }
}

const SOCKS4_REJECT = encodeSocks4Reply("general-failure");

/** Finds a NUL-terminated string at `start`, or says why there is none yet. */
function readNulTerminated(buffer: Buffer, start: number, what: string): ParseResult<Buffer> {
  const window = buffer.subarray(start, start + MAX_SOCKS4_STRING + 1);
  const nul = window.indexOf(0);
  if (nul >= 0) return { kind: "ok", value: window.subarray(0, nul), consumed: nul + 1 };
  if (window.length <= MAX_SOCKS4_STRING) return { kind: "incomplete" };
  return { kind: "invalid", reason: `SOCKS: ${what} is longer than ${MAX_SOCKS4_STRING} bytes`, reply: SOCKS4_REJECT };
}

/** SOCKS4, or SOCKS4a when the address is 0.0.0.x (x ≠ 0) and a domain name
 *  follows the user id. The user id is read and ignored. */
export function parseSocks4Request(buffer: Buffer): ParseResult<SocksTarget> {
  const [version, command] = buffer;
  if (version === undefined) return { kind: "incomplete" };
  if (version !== 4) return { kind: "invalid", reason: `SOCKS: expected a SOCKS4 request, got version ${hex(version)}` };
  if (command === undefined) return { kind: "incomplete" };
  if (command !== CONNECT) return { kind: "invalid", reason: commandError(command), reply: SOCKS4_REJECT };
  if (buffer.length < 8) return { kind: "incomplete" };
  const port = buffer.readUInt16BE(2);
  if (port === 0) return { kind: "invalid", reason: "SOCKS: destination port 0 is not valid", reply: SOCKS4_REJECT };
  const userId = readNulTerminated(buffer, 8, "SOCKS4 user id");
  if (userId.kind !== "ok") return userId;
  const afterUserId = 8 + userId.consumed;
  const ip = buffer.readUInt32BE(4);
  const isSocks4a = ip > 0 && ip < 0x100;
  if (!isSocks4a) return { kind: "ok", value: { host: readIPv4(buffer, 4), port, addressType: "ipv4" }, consumed: afterUserId };
  const name = readNulTerminated(buffer, afterUserId, "SOCKS4a domain name");
  if (name.kind !== "ok") return name;
  const domain = checkDomain(name.value);
  if ("error" in domain) return { kind: "invalid", reason: domain.error, reply: SOCKS4_REJECT };
  return { kind: "ok", value: { ...domain, port }, consumed: afterUserId + name.consumed };
}

// -------------------------------------------------------------- negotiation

export type SocksRequest = SocksTarget & {
  version: 4 | 5;
  /** Bytes the client pipelined after the request: write them to the
   *  destination before piping the (paused) socket. */
  leftover: Buffer;
  /** Answers the request; only the first call writes. A failure also ends
   *  and destroys the socket. */
  reply(result: SocksReplyCode, bound?: SocksAddress): void;
};

export type NegotiateOptions = {
  /** Whole-handshake deadline, not an idle timer, so a client dribbling one
   *  byte at a time cannot hold the connection open. */
  timeoutMs?: number;
  /** Cap on unparsed bytes held per step. The parsers already bound a
   *  request to 520 bytes, so the default of 1024 is a second line. */
  maxHeaderBytes?: number;
};

type Stage = "version" | "socks5-greeting" | "socks5-request" | "socks4-request";

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The reply a client gets when the handshake fails for a reason the protocol
 *  has no dedicated code for (timeout, too many bytes). */
function genericFailureReply(stage: Stage): Buffer | undefined {
  if (stage === "socks5-request") return encodeSocks5Reply("general-failure");
  if (stage === "socks4-request") return SOCKS4_REJECT;
  return undefined;
}

function versionError(first: number): string {
  // An uppercase ASCII letter is the start of an HTTP method.
  const hint = first >= 0x41 && first <= 0x5a ? " (this looks like HTTP; configure the client for SOCKS)" : "";
  return `SOCKS: unsupported protocol version ${hex(first)}, expected 4 or 5${hint}`;
}

/** Writes the reply if the socket can still take it, then destroys the
 *  socket: a destroyed stream swallows later errors, so dropping our 'error'
 *  listener cannot crash the process. */
function closeWith(socket: Duplex, reply?: Buffer) {
  if (reply && socket.writable) socket.end(reply);
  socket.destroy();
}

function replier(socket: Duplex, version: 4 | 5): SocksRequest["reply"] {
  let replied = false;
  return (result, bound) => {
    if (replied) return;
    replied = true;
    const reply = version === 5 ? encodeSocks5Reply(result, bound) : encodeSocks4Reply(result, bound);
    if (result !== "succeeded") closeWith(socket, reply);
    else if (socket.writable) socket.write(reply);
  };
}

/** Reads one SOCKS request from `socket` (answering a SOCKS5 greeting on the
 *  way). Resolves with the request and the socket paused, with none of our
 *  listeners left: attach an 'error' listener before anything else. Rejects
 *  with a SocksError after replying where the protocol allows it and
 *  destroying the socket. */
export function negotiateSocks(socket: Duplex, options: NegotiateOptions = {}): Promise<SocksRequest> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxHeaderBytes = options.maxHeaderBytes ?? 1024;

  return new Promise((resolve, reject) => {
    let stage: Stage = "version";
    let buffered: Buffer = Buffer.alloc(0);
    let receivedAny = false;

    const detach = () => {
      clearTimeout(timer);
      socket.off("data", onData).off("end", onClose).off("close", onClose).off("error", onError);
      socket.pause();
    };
    const fail = (reason: string, reply?: Buffer, cause?: unknown) => {
      detach();
      closeWith(socket, reply);
      reject(new SocksError(reason, { cause }));
    };
    const succeed = (version: 4 | 5, target: SocksTarget, consumed: number) => {
      detach();
      resolve({ ...target, version, leftover: buffered.subarray(consumed), reply: replier(socket, version) });
    };

    /** Advances through the stages as far as the buffered bytes allow. */
    const advance = () => {
      if (stage === "version") {
        const first = buffered[0];
        if (first === undefined) return;
        if (first !== 4 && first !== 5) return fail(versionError(first));
        stage = first === 5 ? "socks5-greeting" : "socks4-request";
      }
      if (stage === "socks5-greeting") {
        const greeting = parseSocks5Greeting(buffered);
        if (greeting.kind !== "ok") return wait(greeting);
        socket.write(NO_AUTH_SELECTED);
        buffered = buffered.subarray(greeting.consumed);
        stage = "socks5-request";
      }
      const request = stage === "socks5-request" ? parseSocks5Request(buffered) : parseSocks4Request(buffered);
      if (request.kind !== "ok") return wait(request);
      succeed(stage === "socks5-request" ? 5 : 4, request.value, request.consumed);
    };
    const wait = (result: Exclude<ParseResult<unknown>, { kind: "ok" }>) => {
      if (result.kind === "invalid") return fail(result.reason, result.reply);
      if (buffered.length > maxHeaderBytes) fail(`SOCKS: client sent more than ${maxHeaderBytes} bytes without a complete request`, genericFailureReply(stage));
    };

    const onData = (chunk: Buffer) => {
      receivedAny = true;
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      advance();
    };
    const onClose = () => fail("SOCKS: client closed the connection before completing the request");
    const onError = (error: Error) => fail(`SOCKS: connection failed before the request was complete: ${error.message}`, undefined, error);
    const onTimeout = () => {
      const what = receivedAny ? "did not complete its request" : "sent no request";
      fail(`SOCKS: client ${what} within ${formatDuration(timeoutMs)}`, genericFailureReply(stage));
    };

    const timer = setTimeout(onTimeout, timeoutMs);
    if (socket.destroyed || socket.readableEnded) return onClose();
    socket.on("data", onData).on("end", onClose).on("close", onClose).on("error", onError);
    socket.resume();
  });
}

// ------------------------------------------------------------- error mapping

// OpenSSH puts strerror()/gai_strerror() text in a failed direct-tcpip open,
// which ssh2 surfaces as "(SSH) Channel open failure: <text>".
const REPLY_BY_TEXT: [RegExp, SocksReplyCode][] = [
  [/connection refused/i, "connection-refused"],
  [/no route to host|host is unreachable|name or service not known|name resolution/i, "host-unreachable"],
  [/network is unreachable/i, "network-unreachable"],
  [/timed out/i, "ttl-expired"],
];
const REPLY_BY_ERRNO: Record<string, SocksReplyCode> = {
  ECONNREFUSED: "connection-refused",
  EHOSTUNREACH: "host-unreachable",
  ENOTFOUND: "host-unreachable",
  ENETUNREACH: "network-unreachable",
  ETIMEDOUT: "ttl-expired",
};
const SSH_ADMINISTRATIVELY_PROHIBITED = 1;

/** The reply for an error from connecting onward (Node socket or ssh2
 *  forwardOut); "general-failure" when nothing more specific fits. */
export function replyCodeFor(error: unknown): SocksReplyCode {
  if (!(error instanceof Error)) return "general-failure";
  const { code, reason } = error as Error & { code?: unknown; reason?: unknown };
  const byErrno = typeof code === "string" ? REPLY_BY_ERRNO[code] : undefined;
  if (byErrno) return byErrno;
  if (reason === SSH_ADMINISTRATIVELY_PROHIBITED) return "not-allowed";
  return REPLY_BY_TEXT.find(([pattern]) => pattern.test(error.message))?.[1] ?? "general-failure";
}
