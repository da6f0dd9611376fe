import { once } from "node:events";
import net from "node:net";
import { Duplex } from "node:stream";
import fc from "fast-check";
import { SocksClient } from "socks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  encodeSocks4Reply,
  encodeSocks5Reply,
  negotiateSocks,
  parseSocks4Request,
  parseSocks5Greeting,
  parseSocks5Request,
  replyCodeFor,
  SocksError,
  type NegotiateOptions,
  type ParseResult,
  type SocksRequest,
  type SocksTarget,
} from "@/server/tunnels/socks-negotiation";

/** The server's end of a connection: the test pushes what the client sends
 *  and reads back everything the server wrote, even after a destroy. */
class FakeSocket extends Duplex {
  readonly written: Buffer[] = [];

  override _read() {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    this.written.push(chunk);
    callback();
  }

  get output(): Buffer {
    return Buffer.concat(this.written);
  }
}

const bytes = (...parts: (number[] | string | Uint8Array)[]) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))));
const port16 = (port: number) => [port >> 8, port & 0xff];
const ipv4Bytes = (ip: string) => ip.split(".").map(Number);
/** WHATWG URL parsing is an independent RFC 5952-style canonicaliser. */
const canonicalIPv6 = (text: string) => new URL(`http://[${text}]/`).hostname.slice(1, -1);
const groupsText = (raw: Uint8Array) => Array.from({ length: 8 }, (_, i) => ((raw[2 * i]! << 8) | raw[2 * i + 1]!).toString(16)).join(":");

const GREETING = bytes([5, 1, 0]);
const socks5Request = (atyp: number, address: number[] | string | Uint8Array, port: number, command = 1) => bytes([5, command, 0, atyp], address, port16(port));
const socks5Domain = (domain: string | Uint8Array, port = 443) => socks5Request(3, bytes([domain.length], domain), port);
const socks4Request = (ip: string, port: number, userId = "", domain?: string) =>
  bytes([4, 1], port16(port), ipv4Bytes(ip), userId, [0], domain === undefined ? [] : bytes(domain, [0]));

const SOCKS5_GENERAL_FAILURE = bytes([5, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
const SOCKS4_REJECTED = bytes([0, 0x5b, 0, 0, 0, 0, 0, 0]);
const LISTENED = ["data", "end", "close", "error"] as const;
const listenerCounts = (socket: Duplex) => LISTENED.map((event) => socket.listenerCount(event));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

type Outcome = { socket: FakeSocket } & ({ request: SocksRequest } | { error: unknown });

/** Feeds `chunks` to negotiateSocks and checks it left no listeners behind. */
async function negotiate(chunks: Buffer[], options: NegotiateOptions & { end?: boolean } = {}): Promise<Outcome> {
  const socket = new FakeSocket();
  const before = listenerCounts(socket);
  const promise = negotiateSocks(socket, { timeoutMs: 1_000, ...options });
  for (const chunk of chunks) socket.push(chunk);
  if (options.end) socket.push(null);
  const outcome = await promise.then(
    (request) => ({ socket, request }),
    (error: unknown) => ({ socket, error }),
  );
  expect(listenerCounts(socket)).toEqual(before);
  return outcome;
}

async function negotiateOk(chunks: Buffer[], options?: NegotiateOptions) {
  const outcome = await negotiate(chunks, options);
  if (!("request" in outcome)) throw outcome.error;
  expect(outcome.socket.isPaused()).toBe(true);
  return { socket: outcome.socket, request: outcome.request };
}

async function negotiateFails(chunks: Buffer[], options?: NegotiateOptions & { end?: boolean }) {
  const outcome = await negotiate(chunks, options);
  if (!("error" in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.request)}`);
  expect(outcome.error).toBeInstanceOf(SocksError);
  expect(outcome.socket.destroyed).toBe(true);
  return { socket: outcome.socket, error: outcome.error as SocksError };
}

function expectOk<T>(result: ParseResult<T>, value: T, consumed: number) {
  expect(result).toEqual({ kind: "ok", value, consumed });
}

/** Every strict prefix of a valid message must be "incomplete". */
function expectIncompleteUntilLast<T>(parse: (buffer: Buffer) => ParseResult<T>, message: Buffer) {
  for (let length = 0; length < message.length; length++) expect(parse(message.subarray(0, length))).toEqual({ kind: "incomplete" });
}

describe("parseSocks5Greeting", () => {
  it("accepts a greeting that offers no-auth among other methods", () => {
    const greeting = bytes([5, 2, 2, 0]);
    expectIncompleteUntilLast(parseSocks5Greeting, greeting);
    expectOk(parseSocks5Greeting(bytes(greeting, "pipelined")), { methods: [2, 0] }, 4);
  });

  it("answers 05 FF when no-auth is not offered or nothing is", () => {
    for (const greeting of [bytes([5, 1, 2]), bytes([5, 0])]) {
      const result = parseSocks5Greeting(greeting);
      expect(result).toMatchObject({ kind: "invalid", reply: bytes([5, 0xff]) });
    }
    expect(parseSocks5Greeting(bytes([5, 2, 1, 2]))).toMatchObject({
      reason: "SOCKS: client requires authentication (offered methods 0x01, 0x02); only no-auth is supported",
    });
  });
});

describe("parseSocks5Request", () => {
  it("parses IPv4", () => {
    const request = socks5Request(1, [127, 0, 0, 1], 80);
    expectIncompleteUntilLast(parseSocks5Request, request);
    expectOk(parseSocks5Request(bytes(request, "x")), { host: "127.0.0.1", port: 80, addressType: "ipv4" }, 10);
  });

  it("parses IPv6 as canonical compressed lowercase text", () => {
    const raw = bytes([0x20, 0x01, 0x0d, 0xb8], new Uint8Array(10), [0xab, 0xcd]);
    const request = socks5Request(4, raw, 8080);
    expectIncompleteUntilLast(parseSocks5Request, request);
    expectOk(parseSocks5Request(request), { host: "2001:db8::abcd", port: 8080, addressType: "ipv6" }, 22);
  });

  it("formats any IPv6 address the way WHATWG URL does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        const result = parseSocks5Request(socks5Request(4, raw, 1));
        expect(result).toMatchObject({ kind: "ok", value: { host: canonicalIPv6(groupsText(raw)) } });
      }),
      { seed: 1928 },
    );
  });

  it("parses a domain name", () => {
    const request = socks5Domain("db.internal.example", 5432);
    expectIncompleteUntilLast(parseSocks5Request, request);
    expectOk(parseSocks5Request(request), { host: "db.internal.example", port: 5432, addressType: "domain" }, 26);
  });

  it("reports IP literals sent as a domain name as IPs, IPv6 canonicalised", () => {
    expect(parseSocks5Request(socks5Domain("10.0.0.1"))).toMatchObject({
      value: { host: "10.0.0.1", addressType: "ipv4" },
    });
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const result = parseSocks5Request(socks5Domain(ip.toUpperCase()));
        expect(result).toMatchObject({ kind: "ok", value: { host: canonicalIPv6(ip), addressType: "ipv6" } });
      }),
      { seed: 1928 },
    );
  });

  it("rejects a bad header byte as soon as it arrives", () => {
    expect(parseSocks5Request(bytes([5, 2]))).toMatchObject({ kind: "invalid", reason: "SOCKS: unsupported command BIND" });
    expect(parseSocks5Request(bytes([5, 1, 0, 9]))).toMatchObject({ kind: "invalid" });
  });
});

describe("parseSocks4Request", () => {
  it("parses SOCKS4 and skips the user id", () => {
    const request = socks4Request("10.0.0.1", 80, "alice");
    expectIncompleteUntilLast(parseSocks4Request, request);
    expectOk(parseSocks4Request(bytes(request, "GET")), { host: "10.0.0.1", port: 80, addressType: "ipv4" }, 14);
  });

  it("parses SOCKS4a (0.0.0.x with a domain name)", () => {
    const request = socks4Request("0.0.0.1", 443, "", "example.com");
    expectIncompleteUntilLast(parseSocks4Request, request);
    expectOk(parseSocks4Request(request), { host: "example.com", port: 443, addressType: "domain" }, 21);
  });

  it("treats 0.0.0.0 as a plain SOCKS4 address, not 4a", () => {
    expectOk(parseSocks4Request(socks4Request("0.0.0.0", 80)), { host: "0.0.0.0", port: 80, addressType: "ipv4" }, 9);
  });
});

describe("encodeSocks5Reply / encodeSocks4Reply", () => {
  it("encodes the bound address when it is an IP, 0.0.0.0 otherwise", () => {
    expect(encodeSocks5Reply("succeeded", { host: "10.0.0.2", port: 1080 })).toEqual(bytes([5, 0, 0, 1, 10, 0, 0, 2, 4, 56]));
    expect(encodeSocks5Reply("host-unreachable", { host: "::1", port: 1 })).toEqual(bytes([5, 4, 0, 4], new Uint8Array(15), [1, 0, 1]));
    expect(encodeSocks5Reply("ttl-expired", { host: "bastion", port: 2 })).toEqual(bytes([5, 6, 0, 1, 0, 0, 0, 0, 0, 2]));
    expect(encodeSocks4Reply("succeeded", { host: "10.0.0.2", port: 1080 })).toEqual(bytes([0, 0x5a, 4, 56, 10, 0, 0, 2]));
    expect(encodeSocks4Reply("connection-refused")).toEqual(SOCKS4_REJECTED);
  });
});

describe("negotiateSocks", () => {
  it("answers the greeting, resolves the request and keeps pipelined bytes", async () => {
    const { socket, request } = await negotiateOk([GREETING, bytes(socks5Domain("example.com", 443), "abc"), bytes("def")]);
    expect(request).toMatchObject({ version: 5, host: "example.com", port: 443, addressType: "domain" });
    expect(socket.output).toEqual(bytes([5, 0]));
    expect(Buffer.concat([request.leftover, socket.read() as Buffer])).toEqual(bytes("abcdef"));
  });

  it("writes a SOCKS5 success reply and keeps the socket open", async () => {
    const { socket, request } = await negotiateOk([bytes(GREETING, socks5Request(1, [10, 0, 0, 1], 22))]);
    request.reply("succeeded", { host: "10.0.0.2", port: 1080 });
    expect(socket.output).toEqual(bytes([5, 0], [5, 0, 0, 1, 10, 0, 0, 2, 4, 56]));
    expect(socket.destroyed).toBe(false);
  });

  it("writes a failure reply once, then ends and destroys the socket", async () => {
    const { socket, request } = await negotiateOk([bytes(GREETING, socks5Request(1, [10, 0, 0, 1], 22))]);
    request.reply("connection-refused");
    request.reply("succeeded");
    expect(socket.output).toEqual(bytes([5, 0], [5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    expect(socket.destroyed).toBe(true);
  });

  it("writes SOCKS4 replies", async () => {
    const granted = await negotiateOk([socks4Request("0.0.0.9", 80, "bob", "example.com")]);
    expect(granted.request).toMatchObject({ version: 4, host: "example.com", port: 80, leftover: bytes() });
    granted.request.reply("succeeded");
    expect(granted.socket.output).toEqual(bytes([0, 0x5a, 0, 0, 0, 0, 0, 0]));
    const refused = await negotiateOk([socks4Request("10.0.0.1", 80)]);
    refused.request.reply("host-unreachable");
    expect(refused.socket.output).toEqual(SOCKS4_REJECTED);
    expect(refused.socket.destroyed).toBe(true);
  });

  it("reads a socket the caller had paused", async () => {
    const socket = new FakeSocket();
    socket.pause();
    socket.push(socks4Request("10.0.0.1", 80));
    await expect(negotiateSocks(socket)).resolves.toMatchObject({ host: "10.0.0.1" });
  });
});

describe("negotiateSocks rejects bad input with a reason and the protocol's reply", () => {
  const cases: { name: string; chunks: Buffer[]; reason: string | RegExp; reply: Buffer }[] = [
    {
      name: "no no-auth method",
      chunks: [bytes([5, 1, 2])],
      reason: /requires authentication \(offered methods 0x02\)/,
      reply: bytes([5, 0xff]),
    },
    { name: "zero methods", chunks: [bytes([5, 0])], reason: /no authentication methods/, reply: bytes([5, 0xff]) },
    {
      name: "BIND",
      chunks: [GREETING, socks5Request(1, [1, 2, 3, 4], 80, 2)],
      reason: "SOCKS: unsupported command BIND",
      reply: bytes([5, 0], [5, 7, 0, 1, 0, 0, 0, 0, 0, 0]),
    },
    {
      name: "UDP ASSOCIATE",
      chunks: [GREETING, socks5Request(1, [1, 2, 3, 4], 80, 3)],
      reason: "SOCKS: unsupported command UDP ASSOCIATE",
      reply: bytes([5, 0], [5, 7, 0, 1, 0, 0, 0, 0, 0, 0]),
    },
    {
      name: "SOCKS4 BIND",
      chunks: [bytes([4, 2, 0, 80, 1, 2, 3, 4, 0])],
      reason: "SOCKS: unsupported command BIND",
      reply: SOCKS4_REJECTED,
    },
    {
      name: "an HTTP request",
      chunks: [bytes("GET / HTTP/1.1\r\n\r\n")],
      reason: "SOCKS: unsupported protocol version 0x47, expected 4 or 5 (this looks like HTTP; configure the client for SOCKS)",
      reply: bytes(),
    },
    { name: "version 6", chunks: [bytes([6, 1, 0])], reason: /version 0x06, expected 4 or 5$/, reply: bytes() },
    {
      name: "a request with the wrong version",
      chunks: [GREETING, bytes([4, 1, 0, 1])],
      reason: "SOCKS: request has version 0x04, expected 0x05",
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "unknown address type",
      chunks: [GREETING, bytes([5, 1, 0, 2, 0, 0])],
      reason: "SOCKS: unsupported address type 0x02",
      reply: bytes([5, 0], [5, 8, 0, 1, 0, 0, 0, 0, 0, 0]),
    },
    {
      name: "zero-length domain",
      chunks: [GREETING, socks5Domain("")],
      reason: "SOCKS: empty domain name",
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "domain with a NUL",
      chunks: [GREETING, socks5Domain("evil.com\0.example")],
      reason: "SOCKS: domain name contains control characters",
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "domain with a newline",
      chunks: [GREETING, socks5Domain("a\nb")],
      reason: "SOCKS: domain name contains control characters",
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "domain with a space",
      chunks: [GREETING, socks5Domain("a b")],
      reason: "SOCKS: domain name contains 0x20, which is not allowed in a host name",
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "domain with non-ASCII bytes",
      chunks: [GREETING, socks5Domain(bytes([0xc3, 0xa9]))],
      reason: /contains 0xc3/,
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "IPv6 literal with a zone id sent as a domain",
      chunks: [GREETING, socks5Domain("fe80::1%eth0")],
      reason: /contains 0x3a/,
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "RSV other than 0 (rejected: no expected client sends it)",
      chunks: [GREETING, bytes([5, 1, 1, 1, 1, 2, 3, 4, 0, 80])],
      reason: "SOCKS: reserved byte is 0x01, expected 0x00",
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "SOCKS5 port 0",
      chunks: [GREETING, socks5Request(1, [1, 2, 3, 4], 0)],
      reason: "SOCKS: destination port 0 is not valid",
      reply: bytes([5, 0], SOCKS5_GENERAL_FAILURE),
    },
    {
      name: "SOCKS4 port 0",
      chunks: [socks4Request("1.2.3.4", 0)],
      reason: "SOCKS: destination port 0 is not valid",
      reply: SOCKS4_REJECTED,
    },
    {
      name: "SOCKS4 user id with no NUL within 255 bytes",
      chunks: [bytes([4, 1, 0, 80, 1, 2, 3, 4], "u".repeat(300))],
      reason: "SOCKS: SOCKS4 user id is longer than 255 bytes",
      reply: SOCKS4_REJECTED,
    },
    {
      name: "SOCKS4a domain with no NUL within 255 bytes",
      chunks: [bytes([4, 1, 0, 80, 0, 0, 0, 1, 0], "d".repeat(256))],
      reason: "SOCKS: SOCKS4a domain name is longer than 255 bytes",
      reply: SOCKS4_REJECTED,
    },
    {
      name: "SOCKS4a domain with control characters",
      chunks: [socks4Request("0.0.0.1", 80, "", "a\x7fb")],
      reason: "SOCKS: domain name contains control characters",
      reply: SOCKS4_REJECTED,
    },
  ];

  for (const { name, chunks, reason, reply } of cases) {
    it(name, async () => {
      const { socket, error } = await negotiateFails(chunks);
      if (typeof reason === "string") expect(error.message).toBe(reason);
      else expect(error.message).toMatch(reason);
      expect(error.reason).toBe(error.message);
      expect(socket.output).toEqual(reply);
    });
  }

  it("stops buffering junk beyond maxHeaderBytes", async () => {
    const socket = new FakeSocket();
    const rejection = negotiateSocks(socket, { maxHeaderBytes: 64 }).catch((error: unknown) => error);
    socket.push(bytes([4, 1, 0, 80, 1, 2, 3, 4]));
    let sent = 8;
    while (!socket.destroyed) {
      socket.push(bytes("j".repeat(8)));
      sent += 8;
      await nextTurn();
    }
    expect(await rejection).toMatchObject({
      message: "SOCKS: client sent more than 64 bytes without a complete request",
    });
    expect(sent).toBeLessThanOrEqual(64 + 16);
    expect(socket.output).toEqual(SOCKS4_REJECTED);
  });

  it("fails when the client closes mid-request", async () => {
    const { error, socket } = await negotiateFails([GREETING, bytes([5, 1, 0, 3, 10, 0x61])], { end: true });
    expect(error.message).toBe("SOCKS: client closed the connection before completing the request");
    expect(socket.output).toEqual(bytes([5, 0]));
  });

  it("fails when the socket is destroyed or errors mid-request", async () => {
    const destroyed = new FakeSocket();
    const closing = negotiateSocks(destroyed);
    destroyed.push(bytes([4, 1]));
    destroyed.destroy();
    await expect(closing).rejects.toThrow("SOCKS: client closed the connection before completing the request");

    const failing = new FakeSocket();
    const erroring = negotiateSocks(failing);
    const cause = new Error("read ECONNRESET");
    failing.destroy(cause);
    await expect(erroring).rejects.toMatchObject({
      message: "SOCKS: connection failed before the request was complete: read ECONNRESET",
      cause,
    });
  });

  it("fails at once for a socket that is already closed", async () => {
    const socket = new FakeSocket();
    socket.destroy();
    await expect(negotiateSocks(socket)).rejects.toBeInstanceOf(SocksError);
  });
});

describe("negotiateSocks deadline", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives up on a silent client after 10 s by default", async () => {
    const socket = new FakeSocket();
    const promise = negotiateSocks(socket);
    vi.advanceTimersByTime(10_000);
    await expect(promise).rejects.toThrow("SOCKS: client sent no request within 10 s");
    expect(socket.destroyed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("counts the whole handshake, so dribbling bytes does not extend it", async () => {
    const socket = new FakeSocket();
    const promise = negotiateSocks(socket, { timeoutMs: 50 });
    socket.push(GREETING);
    await nextTurn();
    for (const byte of [5, 1, 0, 3, 20]) {
      socket.push(bytes([byte]));
      await nextTurn();
      vi.advanceTimersByTime(10);
    }
    await expect(promise).rejects.toThrow("SOCKS: client did not complete its request within 50 ms");
    expect(socket.output).toEqual(bytes([5, 0], SOCKS5_GENERAL_FAILURE));
  });

  it("clears its timer once the request is read", async () => {
    await negotiateOk([socks4Request("10.0.0.1", 80)]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

/** A valid request on the wire and what negotiateSocks should make of it. */
type Sample = { wire: Buffer; expected: SocksTarget & { version: 4 | 5 } };

const port = fc.integer({ min: 1, max: 65_535 });
const hostname = fc.domain().filter((domain) => domain.length <= 255);
const userId = fc.uint8Array({ maxLength: 255 }).map((raw) => raw.map((byte) => byte || 1));
const socks4Ip = fc.ipV4().filter((ip) => !/^0\.0\.0\.[1-9]/.test(ip));
const sample: fc.Arbitrary<Sample> = fc.oneof(
  fc.tuple(fc.ipV4(), port).map(([ip, p]) => ({
    wire: bytes(GREETING, socks5Request(1, ipv4Bytes(ip), p)),
    expected: { version: 5 as const, host: ip, port: p, addressType: "ipv4" as const },
  })),
  fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), port).map(([raw, p]) => ({
    wire: bytes(GREETING, socks5Request(4, raw, p)),
    expected: { version: 5 as const, host: canonicalIPv6(groupsText(raw)), port: p, addressType: "ipv6" as const },
  })),
  fc.tuple(hostname, port).map(([domain, p]) => ({
    wire: bytes(GREETING, socks5Domain(domain, p)),
    expected: { version: 5 as const, host: domain, port: p, addressType: "domain" as const },
  })),
  fc.tuple(socks4Ip, port, userId).map(([ip, p, id]) => ({
    wire: bytes([4, 1], port16(p), ipv4Bytes(ip), id, [0]),
    expected: { version: 4 as const, host: ip, port: p, addressType: "ipv4" as const },
  })),
  fc.tuple(fc.integer({ min: 1, max: 255 }), hostname, port, userId).map(([x, domain, p, id]) => ({
    wire: bytes([4, 1], port16(p), [0, 0, 0, x], id, [0], domain, [0]),
    expected: { version: 4 as const, host: domain, port: p, addressType: "domain" as const },
  })),
);

/** Cuts `buffer` at the given offsets (taken modulo its length). */
function split(buffer: Buffer, cuts: number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((cut) => cut % (buffer.length + 1)))].sort((a, b) => a - b);
  return [...offsets, buffer.length].map((end, i) => buffer.subarray(offsets[i - 1] ?? 0, end)).filter((c) => c.length);
}

describe("negotiateSocks properties", () => {
  it("reads any split of a valid request, pipelined bytes included, to the same result", async () => {
    await fc.assert(
      fc.asyncProperty(sample, fc.uint8Array({ maxLength: 32 }), fc.array(fc.nat(), { maxLength: 12 }), async (s, tail, cuts) => {
        const { socket, request } = await negotiateOk(split(bytes(s.wire, tail), cuts));
        expect(request).toMatchObject(s.expected);
        expect(socket.output).toEqual(s.expected.version === 5 ? bytes([5, 0]) : bytes());
        const rest = (socket.read() as Buffer | null) ?? bytes();
        expect(Buffer.concat([request.leftover, rest])).toEqual(Buffer.from(tail));
      }),
      { seed: 1928, numRuns: 300 },
    );
  });

  describe("on arbitrary bytes", () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    // Valid openings reach the later stages more often than uniform bytes would.
    const opening = fc.constantFrom(
      ...[[], [5], [5, 1, 0], [4, 1], [4, 1, 0, 80, 10, 0, 0, 1], [4, 1, 0, 80, 0, 0, 0, 1]].map((b) => bytes(b)),
      ...[
        [5, 1, 0],
        [5, 1, 0, 1],
        [5, 1, 0, 3],
        [5, 1, 0, 4],
      ].map((b) => bytes(GREETING, b)),
    );
    const chunks = fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 8 });

    it("never throws, always settles by the deadline and leaves nothing behind", async () => {
      await fc.assert(
        fc.asyncProperty(opening, chunks, fc.boolean(), async (start, rest, end) => {
          const socket = new FakeSocket();
          const before = listenerCounts(socket);
          let settled: { request: SocksRequest } | { error: unknown } | undefined;
          expect(() => {
            negotiateSocks(socket, { timeoutMs: 1_000, maxHeaderBytes: 200 }).then(
              (request) => (settled = { request }),
              (error: unknown) => (settled = { error }),
            );
          }).not.toThrow();
          for (const chunk of [start, ...rest].filter((c) => c.length)) socket.push(Buffer.from(chunk));
          if (end) socket.push(null);
          await nextTurn();
          vi.advanceTimersByTime(1_000);
          await nextTurn();

          expect(settled).toBeDefined();
          if (settled && "error" in settled) {
            expect(settled.error).toBeInstanceOf(SocksError);
            expect(socket.destroyed).toBe(true);
          }
          expect(listenerCounts(socket)).toEqual(before);
          expect(vi.getTimerCount()).toBe(0);
        }),
        { seed: 1928, numRuns: 500 },
      );
    });
  });
});

describe("replyCodeFor", () => {
  const errno = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:22`), { code });
  const channelFailure = (reason: number, description: string) => Object.assign(new Error(`(SSH) Channel open failure: ${description}`), { reason });

  it("maps Node and ssh2 connect errors to SOCKS reply codes", () => {
    expect(replyCodeFor(errno("ECONNREFUSED"))).toBe("connection-refused");
    expect(replyCodeFor(errno("EHOSTUNREACH"))).toBe("host-unreachable");
    expect(replyCodeFor(errno("ENETUNREACH"))).toBe("network-unreachable");
    expect(replyCodeFor(errno("ETIMEDOUT"))).toBe("ttl-expired");
    expect(replyCodeFor(channelFailure(2, "Connection refused"))).toBe("connection-refused");
    expect(replyCodeFor(channelFailure(2, "No route to host"))).toBe("host-unreachable");
    expect(replyCodeFor(channelFailure(2, "Network is unreachable"))).toBe("network-unreachable");
    expect(replyCodeFor(channelFailure(2, "Name or service not known"))).toBe("host-unreachable");
    expect(replyCodeFor(channelFailure(1, "administratively prohibited: open failed"))).toBe("not-allowed");
    expect(replyCodeFor(new Error("(SSH) Channel open failure: server closed channel unexpectedly"))).toBe("general-failure");
    expect(replyCodeFor("not an error")).toBe("general-failure");
  });
});

describe("interop with the `socks` client over loopback", () => {
  const seen: SocksRequest[] = [];
  const connections = new Set<net.Socket>();
  let refuseNext = false;
  let server: net.Server;
  let proxyPort: number;

  /** negotiateSocks, then reply and echo, as the tunnel engine will do with
   *  forwardOut in place of the echo. */
  async function serve(socket: net.Socket) {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    const request = await negotiateSocks(socket, { timeoutMs: 2_000 }).catch(() => undefined);
    if (!request) return;
    socket.on("error", () => socket.destroy());
    seen.push(request);
    if (refuseNext) return request.reply("connection-refused");
    request.reply("succeeded");
    socket.write(request.leftover);
    socket.pipe(socket);
  }

  beforeAll(async () => {
    server = net.createServer((socket) => void serve(socket));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    proxyPort = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of connections) socket.destroy();
    server.close();
    await once(server, "close");
  });
  beforeEach(() => {
    seen.length = 0;
    refuseNext = false;
  });

  async function echoThrough(type: 4 | 5, host: string) {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: "127.0.0.1", port: proxyPort, type },
      command: "connect",
      destination: { host, port: 8443 },
      timeout: 2_000,
    });
    socket.write("ping ");
    socket.end("pong");
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  }

  const cases = [
    { type: 5, host: "service.internal", version: 5, addressType: "domain" },
    { type: 5, host: "10.20.30.40", version: 5, addressType: "ipv4" },
    { type: 5, host: "2001:DB8:0:0::7", version: 5, addressType: "ipv6", expectedHost: "2001:db8::7" },
    { type: 4, host: "service.internal", version: 4, addressType: "domain" },
    { type: 4, host: "10.20.30.40", version: 4, addressType: "ipv4" },
  ] as const;

  for (const c of cases) {
    it(`SOCKS${c.type} to ${c.host}`, async () => {
      expect(await echoThrough(c.type, c.host)).toBe("ping pong");
      expect(seen).toHaveLength(1);
      const expectedHost = "expectedHost" in c ? c.expectedHost : c.host;
      expect(seen[0]).toMatchObject({ version: c.version, host: expectedHost, port: 8443, addressType: c.addressType });
    });
  }

  it("delivers a refusal the client can read", async () => {
    refuseNext = true;
    await expect(echoThrough(5, "service.internal")).rejects.toThrow(/rejected connection - ConnectionRefused/);
    await expect(echoThrough(4, "service.internal")).rejects.toThrow(/Socks4 Proxy rejected connection/);
  });

  it("delivers 05 FF to a client that insists on authentication before closing", async () => {
    const client = net.connect(proxyPort, "127.0.0.1");
    client.end(bytes([5, 1, 2]));
    const chunks: Buffer[] = [];
    for await (const chunk of client) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes([5, 0xff]));
  });
});
