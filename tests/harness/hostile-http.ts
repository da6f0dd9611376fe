// Hostile HTTP for fuzzing Warren's API: a client that sends a request exactly
// as given (no URL normalisation, any framing, lying lengths), and fast-check
// arbitraries for the hostile parts of a request.
import http from "node:http";
import net from "node:net";
import fc from "fast-check";

export type RawRequest = {
  method: string;
  /** Sent verbatim: whatever should be percent-encoded, the caller encodes. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Chunked transfer encoding, no Content-Length (the default is a truthful Content-Length). */
  chunked?: boolean;
  /** A Content-Length to claim whatever the body's size; the request is then never ended, so the server cannot take a closed socket for the end of the body. */
  declaredLength?: number;
};

export type RawResponse = { status: number; contentType: string; text: string };

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
const CHUNK = 16 * 1024;

/** Sends `request` to 127.0.0.1:`port` and answers the status, content type and body. */
export function sendRaw(port: number, request: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const lying = request.declaredLength !== undefined;
  const headers: Record<string, string> = { ...request.headers };
  if (lying) headers["content-length"] = String(request.declaredLength);
  else if (request.chunked) headers["transfer-encoding"] = "chunked";
  else if (request.body) headers["content-length"] = String(request.body.length);
  return new Promise((resolve, reject) => {
    // A lying request leaves its connection in an unknown state: never reuse it.
    const req = http.request({ host: "127.0.0.1", port, method: request.method, path: request.path, headers, agent: lying ? false : keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"] ?? "", text: Buffer.concat(chunks).toString("utf8") });
        if (lying) req.destroy();
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${request.method} ${request.path.slice(0, 120)} within ${timeoutMs} ms`)));
    req.on("error", reject);
    const body = request.body ?? new Uint8Array();
    for (let offset = 0; offset < body.length; offset += CHUNK) req.write(body.subarray(offset, offset + CHUNK));
    if (!lying) req.end();
  });
}

/** Writes `bytes` on a fresh connection, as they are, and answers the status of
 *  every response read before the server closed it (or `timeoutMs` passed). A
 *  reset after the server's answer is not an error here. */
export function sendBytes(port: number, bytes: Uint8Array, timeoutMs = 10_000): Promise<number[]> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let received = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Array.from(received.matchAll(/^HTTP\/1\.1 (\d{3}) /gm), (match) => Number(match[1])));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.on("error", () => {}); // the close that follows ends it
    socket.on("close", done);
    socket.write(bytes);
  });
}

/** Printable ASCII: what an HTTP header value may carry. */
export const headerText = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

/** Strings that tend to break things: every plane of Unicode, lone surrogates,
 *  control and bidi characters, injection-looking text; at most 40 characters,
 *  so that they fit in a URL. */
const shortHostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "\u0000",
      "a\u0000b",
      "\t\n\r",
      "\ufeff",
      "\u202e",
      "\u200b",
      "𝕏",
      "ǅ",
      "İ",
      "ﬀ",
      "%00",
      "%zz",
      "../..",
      "..\\..",
      "'; DROP TABLE User; --",
      '"',
      '" OR 1=1 --',
      "<script>alert(1)</script>",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, sent as it is
      "${7*7}",
      "{{7*7}}",
      "__proto__",
      "constructor",
      "prototype",
      "null",
      "undefined",
      "NaN",
      "Infinity",
      "true",
      "0",
      "-0",
      "1e999",
      "0x10",
      "AND OR NOT NEAR",
      "a*",
      '"a" *',
      "^a",
      "col:a",
    ),
  },
);

/** The same, or a long run of up to 60,000 characters. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 7, arbitrary: shortHostileString },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 100, max: 20_000 })).map(([unit, times]) => unit.repeat(times)),
  },
);

const rawNumber = fc.constantFrom(
  "1e999",
  "-1e999",
  "1E-400",
  "-0",
  "0.0",
  "1.0",
  "0e0",
  "123456789012345678901234567890",
  "9007199254740993",
  "2147483648",
  "-2147483649",
  "1.5",
);

/** Nesting JSON.parse accepts but naive recursion may not. */
const deepNesting = fc
  .record({ depth: fc.integer({ min: 16, max: 5_000 }), kind: fc.constantFrom("array", "object") })
  .map(({ depth, kind }) => (kind === "array" ? "[".repeat(depth) + "]".repeat(depth) : `${'{"a":'.repeat(depth)}null${"}".repeat(depth)}`));

// Written as text: a `__proto__` key in an object literal would set the prototype instead.
const prototypeKeys = fc.constantFrom(
  '{"__proto__":{"role":"admin","disabled":true,"isAdmin":true}}',
  '{"constructor":{"prototype":{"role":"admin"}}}',
  '{"__proto__":null}',
  '{"toString":1,"valueOf":"x","hasOwnProperty":null}',
);

/** JSON text, including what JSON.stringify never writes: out-of-range number
 *  literals, deep nesting, prototype keys. */
const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 3, arbitrary: hostileString.map((text) => JSON.stringify(text)) },
  { weight: 1, arbitrary: rawNumber },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: prototypeKeys },
  { weight: 1, arbitrary: fc.constantFrom("true", "false", "null", "[]", "{}", "0", "-1", "[null]", '[""]') },
);

const hostileKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "then", ""), shortHostileString);

/** What a route's body may hold: whole bodies that could pass (every key
 *  coherent with the others; `undefined` leaves a key out), and for each key
 *  values on the edge of its rules or just past them. */
export type BodySpec = { valid: fc.Arbitrary<Record<string, unknown>>; edges: Record<string, fc.Arbitrary<unknown>> };

type Change = { key: string; text: string | undefined; repeat: boolean };

/** One key changed: to an edge value, to hostile JSON, left out, or given twice (JSON.parse keeps the last). */
function change(spec: BodySpec): fc.Arbitrary<Change> {
  return fc
    .constantFrom(...Object.keys(spec.edges))
    .chain((key) =>
      fc.oneof(
        { weight: 3, arbitrary: spec.edges[key]!.map((value): Change => ({ key, text: JSON.stringify(value), repeat: false })) },
        { weight: 2, arbitrary: hostileJsonText.map((text): Change => ({ key, text, repeat: false })) },
        { weight: 1, arbitrary: fc.constant<Change>({ key, text: undefined, repeat: false }) },
        { weight: 1, arbitrary: hostileJsonText.map((text): Change => ({ key, text, repeat: true })) },
      ),
    );
}

/** A JSON object: a valid body with at most one change, so the deep checks
 *  run, or with several; both with hostile extra keys such as `__proto__`. */
function objectBody(spec: BodySpec): fc.Arbitrary<string> {
  const changes = fc.oneof(
    { weight: 2, arbitrary: fc.array(change(spec), { maxLength: 1 }) },
    { weight: 1, arbitrary: fc.array(change(spec), { minLength: 2, maxLength: 4 }) },
  );
  const extra = fc.array(fc.tuple(hostileKey, hostileJsonText), { maxLength: 2 });
  return fc.tuple(spec.valid, changes, extra).map(([valid, changed, more]) => {
    const entries = new Map(Object.entries(valid).map(([key, value]): [string, string | undefined] => [key, JSON.stringify(value)]));
    const repeated: [string, string | undefined][] = [];
    for (const { key, text, repeat } of changed) {
      if (repeat) repeated.push([key, text]);
      else entries.set(key, text);
    }
    return `{${[...entries, ...repeated, ...more]
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, text]) => `${JSON.stringify(key)}:${text}`)
      .join(",")}}`;
  });
}

/** Any body: mostly an object built from the spec, else any JSON, raw bytes, or near-JSON. */
export function bodyArb(spec: BodySpec): fc.Arbitrary<Uint8Array> {
  const text = fc.oneof(
    { weight: 8, arbitrary: objectBody(spec) },
    { weight: 2, arbitrary: hostileJsonText },
    {
      weight: 1,
      arbitrary: fc.constantFrom("", " ", "\ufeff{}", "{", "}", "{'a':1}", '{"a":1,}', '{"a":1}garbage', "NaN", "undefined", "\u0000", "[]{}", '"\\ud800"'),
    },
  );
  return fc.oneof({ weight: 10, arbitrary: text.map((value) => new TextEncoder().encode(value)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) });
}

export const contentTypeArb = fc.constantFrom(
  "application/json",
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16le",
  "",
);

export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";

const byType: Record<JsonType, fc.Arbitrary<unknown>> = {
  null: fc.constant(null),
  boolean: fc.boolean(),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  string: shortHostileString,
  array: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
};

/** A JSON value of any type but the ones given. */
export function wrongType(expected: JsonType[]): fc.Arbitrary<unknown> {
  return fc.oneof(...(Object.keys(byType) as JsonType[]).filter((type) => !expected.includes(type)).map((type) => byType[type]));
}

const percentEncodeBytes = (bytes: Uint8Array) => Array.from(bytes, (byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** One path segment, percent-encoded so that it decodes to UTF-8 text: a real id
 *  (sometimes altered), any Unicode, NUL, encoded slashes, very long ones. */
export function pathIdArb(known: string[]): fc.Arbitrary<string> {
  const altered = fc
    .tuple(fc.constantFrom(...known), fc.constantFrom("upper", "nul", "slash", "space", "short", "long"))
    .map(([id, how]) => ({ upper: id.toUpperCase(), nul: `${id}%00`, slash: `${id}%2F`, space: `%20${id}`, short: id.slice(0, -1), long: id.repeat(40) })[how]);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: altered },
    { weight: 3, arbitrary: shortHostileString.filter((text) => text.length > 0 && isWellFormed(text)).map((text) => encodeURIComponent(text)) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).filter(isUtf8).map(percentEncodeBytes) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "%00",
        "%2F",
        "..%2F..%2Fusers",
        "%5C..%5C",
        "%252e%252e",
        "%25",
        "%C3%A9",
        "%F0%9F%92%A9",
        "%EF%BB%BF",
        "%E2%80%AE",
        "null",
        "undefined",
        "__proto__",
        "constructor",
        "0",
        "-1",
        "1e999",
        "*",
        "'",
        "%27%20OR%201%3D1--",
        "~",
        "a".repeat(8_000),
      ),
    },
  );
}

/** A path segment Next cannot decode: a malformed escape, or escapes of bytes that are not UTF-8. */
export const undecodablePathIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("%", "%zz", "%4", "%%", "a%", "%G0", "%ED%A0%80", "%C0%AE", "%FF", "%E0%A4%A"),
  fc
    .uint8Array({ minLength: 1, maxLength: 12 })
    .filter((bytes) => !isUtf8(bytes))
    .map(percentEncodeBytes),
);

/** A query string: the route's own keys with values that could pass or not, hostile keys, repeats, raw escapes of any bytes. */
export function queryArb(keys: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(keys);
  const value = (name: string | undefined) => {
    const own = name === undefined ? [] : [{ weight: 3, arbitrary: keys[name]! }];
    return fc.oneof(...own, { weight: 2, arbitrary: shortHostileString.filter(isWellFormed) }, { weight: 1, arbitrary: fc.constant("\u0000") });
  };
  const key = names.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: hostileKey.filter(isWellFormed) })
    : hostileKey.filter(isWellFormed);
  const entry = key.chain((name) => value(names.includes(name) ? name : undefined).map((text) => `${encodeURIComponent(name)}=${encodeURIComponent(text)}`));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant("") },
    { weight: 8, arbitrary: fc.array(entry, { minLength: 1, maxLength: 5 }).map((entries) => entries.join("&")) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => `q=${percentEncodeBytes(bytes)}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("%", "%zz=1", "a=%", "&&&", "=", "a", "a=1&a=2&a=", "limit=1&limit=abc", "q=%00", "cursor=%FF", `q=${"a".repeat(4_000)}`),
    },
  );
}
