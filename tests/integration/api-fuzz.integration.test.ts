// Property-based fuzzing of every /api/v1 route against a real Warren (issue
// #8, hostile input). Arbitrary bodies, query strings, path ids and
// credentials never get a 5xx nor crash it; every 4xx is the one JSON error
// shape, naming the field when one field is wrong; oversized bodies get 413;
// a plain user never gets an admin's answer; and afterwards nothing invalid is
// stored and the audit chain still verifies. A fixed seed makes every run the
// same inputs: a failure prints the request to replay.
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { errorStatus } from "@/lib/api/api-error";
import { tokenNameSchema } from "@/lib/validation/api-tokens";
import { cidrSchema, MAX_TTL_MINUTES, networkHostSchema, portSchema, tunnelKindSchema } from "@/lib/validation/common";
import { hostPolicySchema } from "@/lib/validation/host-policy";
import { fingerprintSchema, hostNameSchema, sshUsernameSchema } from "@/lib/validation/hosts";
import { teamRoleSchema } from "@/lib/validation/teams";
import { emailSchema, nameSchema, roleSchema } from "@/lib/validation/users";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange } from "@/tests/harness/free-port";
import {
  bodyArb,
  contentTypeArb,
  headerText,
  pathIdArb,
  queryArb,
  sendBytes,
  sendRaw,
  undecodablePathIdArb,
  type BodySpec,
  wrongType,
  type JsonType,
  type RawRequest,
  type RawResponse,
} from "@/tests/harness/hostile-http";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const SEED = 20_261_125;
const MAX_BODY = 64 * 1024;
// Warren's defaults for Warren-side listeners (WARREN_LISTEN_ADDRESSES, WARREN_LISTEN_PORTS).
const LISTEN_ADDRESSES = ["127.0.0.1"];
const LISTEN_PORTS = { min: 20000, max: 29999 };
const password = "correct horse battery";

type Who = "admin" | "user" | "anonymous" | "forged";
type Caller = { who: Who; headers: Record<string, string> };
type ErrorBody = { error: { code: string; message: string; field?: string } };

let sshd: SshdHandle;
let warren: WarrenHandle;
let admin: ApiClient;
let tokens: { admin: string; user: string };
/** Real ids, so that fuzzed requests also get past the lookups. */
const ids = {
  admin: "",
  user: "",
  victim: "",
  mainHost: "",
  spareHost: "",
  approvalHost: "",
  userTunnel: "",
  adminTunnel: "",
  pendingTunnel: "",
  deniedTunnel: "",
  victimToken: "",
  team: "",
  spareTeam: "",
};
/** Private keys that look right to the schema but are not what sshd accepts. */
let oddKeys: string[] = [];
const unhandled = new Set<string>();

beforeAll(async () => {
  [sshd, warren] = await Promise.all([startSshd(), startWarren()]);
  await warren.createUser({ email: "admin@fuzz.test", password, admin: true });
  tokens = { admin: await warren.createToken("admin@fuzz.test"), user: "" };
  admin = apiClient(warren.url, tokens.admin);
  const created = async (response: Promise<{ status: number; body: unknown }>) => {
    const { status, body } = await response;
    expect(status, JSON.stringify(body)).toBe(201);
    return body as { id: string };
  };
  ids.user = (await created(admin.post("/users", { email: "user@fuzz.test", password }))).id;
  ids.victim = (await created(admin.post("/users", { email: "victim@fuzz.test", password }))).id;
  ids.admin = (await admin.get<{ user: { id: string } }>("/me")).body.user.id;
  tokens.user = await warren.createToken("user@fuzz.test");
  const user = apiClient(warren.url, tokens.user);
  // A token of the user's that DELETE /tokens/:id may revoke: never the fuzzers' own.
  ids.victimToken = (await created(user.post("/tokens", { name: "victim" }))).id;
  // The main host is only ever read, tested and tunnelled through, so it stays
  // pointed at the local sshd; the spare one is edited and deleted. No host
  // whose address fuzzing may change is ever connected to.
  const sshHost = { address: sshd.host, port: sshd.port, username: sshd.username };
  ids.mainHost = (
    await created(admin.post("/hosts", { name: "main", ...sshHost, privateKey: sshd.privateKey, hostKeyFingerprint: sshd.hostKeyFingerprint }))
  ).id;
  ids.spareHost = (await created(admin.post("/hosts", { name: "spare", ...sshHost, generateKey: true }))).id;
  const tunnel = async (client: ApiClient, body: object) =>
    (await created(client.post("/tunnels", { hostId: ids.mainHost, listen: { port: await freePortInRange() }, ttlMinutes: 60, ...body }))).id;
  ids.userTunnel = await tunnel(user, { kind: "local", target: { host: "127.0.0.1", port: sshd.port } });
  ids.adminTunnel = await tunnel(admin, { kind: "dynamic" });
  // The user owns a team the victim is in; requests on the approval host wait for the admin.
  ids.team = (await created(admin.post("/teams", { name: "fuzzers", ownerEmail: "user@fuzz.test" }))).id;
  ids.spareTeam = (await created(admin.post("/teams", { name: "spare" }))).id;
  await created(admin.post(`/teams/${ids.team}/members`, { email: "victim@fuzz.test" }));
  ids.approvalHost = (
    await created(
      admin.post("/hosts", {
        name: "approval",
        ...sshHost,
        privateKey: sshd.privateKey,
        hostKeyFingerprint: sshd.hostKeyFingerprint,
        policy: { approval: true },
      }),
    )
  ).id;
  ids.pendingTunnel = await tunnel(user, { hostId: ids.approvalHost, kind: "dynamic", reason: "on call" });
  ids.deniedTunnel = await tunnel(user, { hostId: ids.approvalHost, kind: "dynamic", reason: "on call" });
  oddKeys = privateKeysThatAreNotQuiteRight(sshd.privateKey);
});

afterEach(() => {
  // Each line means a request took a 500 path somewhere; collected here because
  // logs() keeps only the last 64 kB.
  for (const match of warren?.logs().matchAll(/^.*unhandled error.*(\n\s+at .*)*/gm) ?? []) unhandled.add(match[0]);
});

afterAll(async () => {
  await warren?.dispose();
  await sshd?.dispose();
});

function privateKeysThatAreNotQuiteRight(real: string): string[] {
  const publicKeyEncoding = { type: "spki", format: "pem" } as const;
  const encrypted = { cipher: "aes-256-cbc", passphrase: "pw" };
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024, publicKeyEncoding, privateKeyEncoding: { type: "pkcs1", format: "pem" } }).privateKey;
  const rsaEncrypted = generateKeyPairSync("rsa", {
    modulusLength: 1024,
    publicKeyEncoding,
    privateKeyEncoding: { type: "pkcs1", format: "pem", ...encrypted },
  }).privateKey;
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256", publicKeyEncoding, privateKeyEncoding: { type: "sec1", format: "pem" } }).privateKey;
  const ed25519 = generateKeyPairSync("ed25519", { publicKeyEncoding, privateKeyEncoding: { type: "pkcs8", format: "pem" } }).privateKey;
  const ed25519Encrypted = generateKeyPairSync("ed25519", { publicKeyEncoding, privateKeyEncoding: { type: "pkcs8", format: "pem", ...encrypted } }).privateKey;
  const lines = real.trim().split("\n");
  const middle = Math.floor(lines.length / 2);
  return [
    rsa,
    rsaEncrypted,
    ec,
    ed25519,
    ed25519Encrypted,
    real.slice(0, real.length / 2),
    [...lines.slice(0, middle), lines[middle]!.split("").reverse().join(""), ...lines.slice(middle + 1)].join("\n"),
    real.replace(/[A-Za-z0-9+/]{60,}/, (line) => line.replace(/A/g, "B")),
    "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----",
    `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----`,
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${sshd.publicKey}\n-----END OPENSSH PRIVATE KEY-----`,
  ];
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Who calls: the admin, the plain user, nobody, or forged credentials (some of which are valid after all). */
function callerArb(): fc.Arbitrary<Caller> {
  const forged = fc.oneof(
    headerText(200).map((value) => ({ authorization: value })),
    fc
      .constantFrom(
        "Bearer",
        "Bearer ",
        "Basic YWRtaW46cGFzc3dvcmQ=",
        "Bearer wrn_",
        `Bearer wrn_${"A".repeat(43)}`,
        `Bearer ${tokens.admin} ${tokens.admin}`,
        tokens.admin,
        `bearer\t${tokens.user}`,
        `Bearer ${tokens.admin.slice(0, -1)}`,
      )
      .map((value) => ({ authorization: value })),
    headerText(400).map((value) => ({ cookie: `next-auth.session-token=${value}` })),
    fc
      .constantFrom("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC", "a.b.c.d.e", "%zz")
      .map((value) => ({ cookie: `next-auth.session-token=${value}` })),
  );
  return fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant<Caller>({ who: "admin", headers: bearer(tokens.admin) }) },
        { weight: 4, arbitrary: fc.constant<Caller>({ who: "user", headers: bearer(tokens.user) }) },
        { weight: 1, arbitrary: fc.constant<Caller>({ who: "anonymous", headers: {} }) },
        { weight: 1, arbitrary: forged.map((headers): Caller => ({ who: "forged", headers })) },
      ),
      fc.option(headerText(2_000), { freq: 4 }),
    )
    .map(([caller, userAgent]) => (userAgent === null ? caller : { ...caller, headers: { ...caller.headers, "user-agent": userAgent } }));
}

type Route = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  /** Real ids for `:id`. */
  ids?: () => string[];
  body?: () => BodySpec;
  query?: () => Record<string, fc.Arbitrary<string>>;
  adminOnly?: boolean;
  /** Needs no credentials (a device asking to sign in). */
  anonymous?: boolean;
  runs: number;
};

const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const ttl = fc.integer({ min: 1, max: 1440 }); // within the default host maximum
const ttlEdges = fc.constantFrom(-1, 0, 1441, MAX_TTL_MINUTES, MAX_TTL_MINUTES + 1, 1.5, "60");
const portEdges = fc.constantFrom(0, -1, 65536, 22.5, 1e21, "22");
// Hosts fuzzing may create or edit are never connected to; still, no address here leaves the machine.
const address = fc.constantFrom("127.0.0.1", "localhost", "::1", "[::1]", " 127.0.0.1 ", "127.0.0.2");
const addressEdges = fc.constantFrom("", "a b", "999.1.1.1", "[127.0.0.1", "::ffff:127.0.0.1", "fe80::1%lo", "-x", "a".repeat(254));
const hostName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/);
const hostNameEdges = fc.constantFrom(" main ", "main", "spare", "a".repeat(64), "-x", "x/y", "");
const username = fc.stringMatching(/^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/);
const usernameEdges = fc.constantFrom(" root", "-x", "", "a".repeat(65), "ro ot");
const fingerprint = fc.base64String({ minLength: 44, maxLength: 44 }).map((b64) => `SHA256:${b64.slice(0, 43)}`);
const fingerprintEdges = fc.constantFrom("SHA256:", "MD5:aa:bb", " SHA256:abc ", `SHA256:${"A".repeat(44)}`);
const policy = fc.record(
  {
    kinds: fc.subarray(["local", "remote", "dynamic"], { minLength: 1 }),
    targets: fc.array(fc.constantFrom("10.0.0.0/8", "*.example.com", "db-1", "127.0.0.1", "::1/128"), { maxLength: 4 }),
    ports: fc.array(fc.constantFrom("5432", "8000-8999", "1-65535"), { maxLength: 4 }),
    publicBinds: fc.boolean(),
    anySource: fc.boolean(),
    maxTtlMinutes: fc.integer({ min: 1, max: MAX_TTL_MINUTES }),
  },
  { requiredKeys: [] },
);
const policyEdges = fc.oneof(
  fc.record({ kinds: fc.constantFrom([], ["local", "local"], ["tcp"]) }),
  fc.record({ targets: fc.constantFrom(["*."], ["1.2.3.4/33"], [""], ["a".repeat(300)], Array(65).fill("10.0.0.1")) }),
  fc.record({ ports: fc.constantFrom(["0"], ["65536"], ["9-1"], ["abc"], ["99999"], Array(65).fill("22")) }),
  fc.record({ maxTtlMinutes: ttlEdges }),
  fc.record({ publicBinds: fc.constantFrom("yes", 1, null) }),
);
const credential = (patch: boolean) =>
  fc.oneof(
    fc.record({ privateKey: fc.constant(sshd.privateKey), passphrase: sometimes(fc.constant("")) }),
    fc.constant({ generateKey: true }),
    ...(patch ? [fc.constant({})] : []),
  );
const privateKeyEdges = () =>
  fc.oneof(
    fc.constantFrom(...oddKeys),
    fc.base64String({ maxLength: 400 }).map((b64) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----`),
  );

/** A host as POST /hosts takes it; for PATCH every key is optional. */
const hostBody = (patch: boolean) => (): BodySpec => {
  const key = <T>(arbitrary: fc.Arbitrary<T>) => (patch ? sometimes(arbitrary) : arbitrary);
  const fields = fc.record({
    name: key(hostName),
    address: key(address),
    port: sometimes(fc.integer({ min: 1, max: 65535 })),
    username: key(username),
    hostKeyFingerprint: sometimes(patch ? fc.oneof(fingerprint, fc.constant(null)) : fingerprint),
    policy: sometimes(policy),
  });
  return {
    valid: fc.tuple(fields, credential(patch)).map(([host, secret]) => ({ ...host, ...secret })),
    edges: {
      name: hostNameEdges,
      address: addressEdges,
      port: portEdges,
      username: usernameEdges,
      privateKey: privateKeyEdges(),
      passphrase: fc.constantFrom("pw", "wrong", "x".repeat(1025)),
      generateKey: fc.constantFrom(false, "true", 1),
      hostKeyFingerprint: fingerprintEdges,
      policy: policyEdges,
    },
  };
};

/** Local and remote tunnels to loopback, or dynamic ones; listeners inside Warren's range. */
const tunnelBody = (): BodySpec => {
  const listen = fc.record({ address: sometimes(fc.constantFrom(...LISTEN_ADDRESSES)), port: fc.integer(LISTEN_PORTS) });
  const common = {
    hostId: fc.constant(ids.mainHost),
    listen,
    ttlMinutes: sometimes(ttl),
    allowedSources: sometimes(fc.constant([])),
    teamId: sometimes(fc.constant(null)),
  };
  const target = fc.record({ host: fc.constantFrom("127.0.0.1", "localhost", "::1", "[::1]"), port: fc.integer({ min: 1, max: 65535 }) });
  return {
    valid: fc.oneof(fc.record({ kind: fc.constantFrom("local", "remote"), target, ...common }), fc.record({ kind: fc.constant("dynamic"), ...common })),
    edges: {
      kind: fc.constantFrom("LOCAL", "", "tcp", "dynamic", "local"),
      hostId: fc.constantFrom("", "x".repeat(65), ids.userTunnel, ids.spareHost.toUpperCase()),
      listen: fc.oneof(
        fc.record({ port: fc.constantFrom(LISTEN_PORTS.min - 1, LISTEN_PORTS.max + 1, 0, 65536, 1.5) }),
        fc.record({ address: fc.constantFrom("0.0.0.0", "::1", "", "localhost", "127.0.0.2", "*", "[::1]"), port: fc.integer(LISTEN_PORTS) }),
        fc.constantFrom({}, { address: "127.0.0.1" }),
      ),
      // Refused before any connection is made.
      target: fc.oneof(
        fc.record({
          host: fc.constantFrom(
            "169.254.169.254",
            "metadata.google.internal",
            "METADATA.",
            "::ffff:169.254.169.254",
            "fd00:ec2::254",
            "instance-data.",
            "",
            "[::1",
          ),
          port: fc.integer({ min: 1, max: 65535 }),
        }),
        fc.constantFrom({ host: "127.0.0.1" }, { port: 1 }, null),
      ),
      ttlMinutes: ttlEdges,
      allowedSources: fc.constantFrom(["1.2.3.4/33"], ["x"], [""], ["0.0.0.0/0"], ["::/0"], ["127.0.0.1", "10.0.0.0/8"], Array(33).fill("10.0.0.1")),
      teamId: fc.constantFrom("team-1", 0, false, {}),
    },
  };
};

const auditQuery = (extra: Record<string, fc.Arbitrary<string>>) => () => ({
  actor: fc.constantFrom("admin@fuzz.test", "ADMIN@FUZZ.TEST", ids.admin, " ", "x".repeat(300)),
  action: fc.constantFrom("tunnel.*", "tunnel.requested", "host.", "*", "a.b*", "TUNNEL.*", "tunnel.opened.x", ".*"),
  hostId: fc.constantFrom(ids.mainHost, "", "x".repeat(65)),
  tunnelId: fc.constantFrom(ids.userTunnel, "", "x".repeat(65)),
  from: fc.oneof(
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom(
      "2026-02-30T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "0000-01-01T00:00:00Z",
      "2026-11-25T24:00:00Z",
      "2026-11-25T00:00:00+25:00",
      "2026-11-25",
      "now",
    ),
  ),
  to: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  q: fc.constantFrom(
    "admin",
    "fuzz",
    '"',
    '""a',
    "a*",
    "a OR b",
    "NEAR(a b)",
    "a\u0000b",
    "^a",
    "col:a",
    "é",
    "日本",
    "-a",
    "(a",
    "a)",
    "a".repeat(200),
    "a".repeat(201),
  ),
  ...extra,
});
const teamName = fc.stringMatching(/^\S(.{0,98}\S)?$/);
const teamEdges = {
  name: fc.constantFrom("", " ", "x".repeat(101), "fuzzers", "<script>alert(1)</script>", null),
  ownerEmail: fc.constantFrom("nobody@fuzz.test", "x", ""),
};
const teamRole = fc.constantFrom("owner", "member");
const memberEdges = { email: fc.constantFrom("", "x", "user@fuzz.test", "NOBODY@FUZZ.TEST"), role: fc.constantFrom("admin", "OWNER", "", null) };
const reasonText = fc.stringMatching(/^\S(.{0,198}\S)?$/);
const reasonEdges = fc.constantFrom("", "   ", "a".repeat(201), null, 5);
const count = fc.constantFrom(
  "1",
  "0",
  "-1",
  "1.5",
  "200",
  "201",
  "9007199254740991",
  "9007199254740993",
  "2147483648",
  "1e3",
  "0x10",
  " 5 ",
  "",
  "Infinity",
  "NaN",
);

const ROUTES: Route[] = [
  { method: "GET", path: "/health", runs: 25 },
  { method: "GET", path: "/me", runs: 25 },
  { method: "GET", path: "/hosts", runs: 25 },
  { method: "GET", path: "/hosts/:id", ids: () => [ids.mainHost, ids.spareHost], runs: 80 },
  { method: "GET", path: "/tunnels", query: () => ({ status: fc.constantFrom("all", "open", "ALL", "closed", "") }), runs: 40 },
  { method: "GET", path: "/tunnels/:id", ids: () => [ids.userTunnel, ids.adminTunnel], runs: 80 },
  { method: "GET", path: "/tunnels/:id/history", ids: () => [ids.userTunnel, ids.adminTunnel], runs: 80 },
  { method: "GET", path: "/tokens", runs: 25 },
  { method: "GET", path: "/users", adminOnly: true, runs: 25 },
  { method: "GET", path: "/users/:id", ids: () => [ids.admin, ids.user, ids.victim], adminOnly: true, runs: 80 },
  { method: "GET", path: "/audit", query: auditQuery({ cursor: count, limit: count }), adminOnly: true, runs: 150 },
  { method: "GET", path: "/audit/export", query: auditQuery({ format: fc.constantFrom("csv", "jsonl", "CSV", "xml", "") }), adminOnly: true, runs: 100 },
  { method: "GET", path: "/audit/verify", adminOnly: true, runs: 20 },
  { method: "POST", path: "/hosts", body: hostBody(false), adminOnly: true, runs: 200 },
  { method: "POST", path: "/tunnels", body: tunnelBody, runs: 250 },
  {
    method: "POST",
    path: "/tokens",
    body: () => ({
      valid: fc.record({ name: sometimes(fc.stringMatching(/^\S(.{0,62}\S)?$/)) }),
      edges: { name: fc.constantFrom("", "  ", " ci ", "x".repeat(65), null) },
    }),
    runs: 60,
  },
  {
    method: "POST",
    path: "/users",
    body: () => ({
      valid: fc.record({
        email: fc
          .tuple(
            fc.stringMatching(/^[A-Za-z0-9_+-]([A-Za-z0-9_+.-]{0,20}[A-Za-z0-9_+-])?$/),
            fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,20}$/),
            fc.constantFrom("test", "example", "IO"),
          )
          .filter(([local]) => !local.includes(".."))
          .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
        password: fc.string({ minLength: 10, maxLength: 40 }),
        name: sometimes(fc.stringMatching(/^\S(.{0,98}\S)?$/)),
        role: sometimes(fc.constantFrom("admin", "user")),
      }),
      edges: {
        email: fc.oneof(
          fc.emailAddress(),
          fc.constantFrom(" Mixed@Example.COM ", "a@b", "@x.y", "x@y..z", "ü@例え.jp", "victim@fuzz.test", "VICTIM@FUZZ.TEST", `${"a".repeat(250)}@x.io`),
        ),
        password: fc.constantFrom("", "short", "x".repeat(9), "x".repeat(256), "x".repeat(257)),
        name: fc.constantFrom("", " ", "x".repeat(101)),
        role: fc.constantFrom("root", "ADMIN", ""),
      },
    }),
    adminOnly: true,
    runs: 100,
  },
  { method: "PATCH", path: "/hosts/:id", ids: () => [ids.spareHost], body: hostBody(true), adminOnly: true, runs: 150 },
  {
    method: "PATCH",
    path: "/users/:id",
    ids: () => [ids.victim, ids.admin],
    body: () => ({ valid: fc.constant({ disabled: true }), edges: { disabled: fc.constantFrom("true", 1, null), role: fc.constantFrom("root", "ADMIN", 1) } }),
    adminOnly: true,
    runs: 50,
  },
  {
    method: "POST",
    path: "/tunnels/:id/extend",
    ids: () => [ids.userTunnel, ids.adminTunnel],
    body: () => ({ valid: fc.record({ ttlMinutes: ttl }), edges: { ttlMinutes: ttlEdges } }),
    runs: 80,
  },
  { method: "POST", path: "/hosts/:id/test", ids: () => [ids.mainHost], adminOnly: true, runs: 25 },
  { method: "GET", path: "/teams", runs: 25 },
  { method: "GET", path: "/teams/:id", ids: () => [ids.team, ids.spareTeam], runs: 60 },
  { method: "GET", path: "/teams/:id/members", ids: () => [ids.team, ids.spareTeam], runs: 40 },
  {
    method: "POST",
    path: "/teams",
    body: () => ({ valid: fc.record({ name: teamName, ownerEmail: sometimes(fc.constantFrom("user@fuzz.test", "victim@fuzz.test")) }), edges: teamEdges }),
    adminOnly: true,
    runs: 80,
  },
  {
    method: "PATCH",
    path: "/teams/:id",
    ids: () => [ids.team, ids.spareTeam],
    body: () => ({ valid: fc.record({ name: teamName }), edges: { name: teamEdges.name } }),
    runs: 60,
  },
  {
    method: "POST",
    path: "/teams/:id/members",
    ids: () => [ids.team, ids.spareTeam],
    body: () => ({
      valid: fc.record({ email: fc.constantFrom("admin@fuzz.test", "victim@fuzz.test", "nobody@fuzz.test"), role: sometimes(teamRole) }),
      edges: memberEdges,
    }),
    runs: 80,
  },
  {
    method: "PATCH",
    path: "/teams/:id/members/:victim",
    ids: () => [ids.team, ids.spareTeam],
    body: () => ({ valid: fc.record({ role: teamRole }), edges: { role: memberEdges.role } }),
    runs: 60,
  },
  { method: "GET", path: "/approvals", runs: 25 },
  { method: "POST", path: "/tunnels/:id/join", ids: () => [ids.userTunnel, ids.adminTunnel, ids.pendingTunnel], runs: 40 },
  { method: "DELETE", path: "/tunnels/:id/participants/:victim", ids: () => [ids.userTunnel, ids.adminTunnel], runs: 40 },
  {
    method: "POST",
    path: "/device/code",
    body: () => ({
      valid: fc.record({ deviceName: sometimes(fc.stringMatching(/^\S(.{0,62}\S)?$/)) }),
      edges: { deviceName: fc.constantFrom("", " ", "x".repeat(65), "a\nb", 7) },
    }),
    anonymous: true,
    runs: 40,
  },
  {
    method: "POST",
    path: "/device/token",
    body: () => ({
      valid: fc.record({ device_code: fc.string({ minLength: 1, maxLength: 64 }) }),
      edges: { device_code: fc.constantFrom("", "x".repeat(129), null, 42) },
    }),
    runs: 40,
  },
  { method: "GET", path: "/device/requests/:id", ids: () => ["BCDF-GHJK"], runs: 30 },
  { method: "POST", path: "/device/requests/:id/approve", ids: () => ["BCDF-GHJK"], runs: 30 },
  {
    method: "GET",
    path: "/devices",
    query: () => ({ status: fc.constantFrom("all", "active", "ALL", ""), userId: fc.constantFrom(ids.admin, ids.user, ids.victim, "nobody", "") }),
    runs: 40,
  },
];

// Last: they consume the fixtures.
const DELETES: Route[] = [
  { method: "DELETE", path: "/tokens/:id", ids: () => [ids.victimToken], runs: 60 },
  { method: "DELETE", path: "/devices/:id", ids: () => [ids.victimToken], runs: 40 },
  { method: "DELETE", path: "/devices/current", runs: 20 },
  {
    method: "DELETE",
    path: "/tunnels/:id",
    ids: () => [ids.userTunnel, ids.adminTunnel],
    body: () => ({
      valid: fc.record({ reason: sometimes(fc.stringMatching(/^\S(.{0,198}\S)?$/)) }),
      edges: { reason: fc.constantFrom("", "   ", "a".repeat(201)) },
    }),
    runs: 80,
  },
  { method: "DELETE", path: "/hosts/:id", ids: () => [ids.spareHost], adminOnly: true, runs: 60 },
  {
    method: "POST",
    path: "/tunnels/:id/deny",
    ids: () => [ids.deniedTunnel],
    body: () => ({ valid: fc.record({ reason: reasonText }), edges: { reason: reasonEdges } }),
    runs: 40,
  },
  {
    method: "POST",
    path: "/tunnels/:id/approve",
    ids: () => [ids.pendingTunnel],
    body: () => ({ valid: fc.record({ reason: sometimes(reasonText) }), edges: { reason: reasonEdges } }),
    runs: 40,
  },
  { method: "DELETE", path: "/teams/:id/members/:victim", ids: () => [ids.team], runs: 40 },
  { method: "DELETE", path: "/teams/:id", ids: () => [ids.spareTeam], adminOnly: true, runs: 40 },
];

type Fuzzed = { caller: Caller; id: string; query: string; body: Uint8Array | undefined; contentType: string; chunked: boolean };

function requestArb(route: Route): fc.Arbitrary<Fuzzed> {
  return fc.record({
    caller: callerArb(),
    id: route.ids ? pathIdArb(route.ids()) : fc.constant(""),
    query: queryArb(route.query?.() ?? {}),
    body: route.body ? bodyArb(route.body()) : fc.constant(undefined),
    contentType: contentTypeArb,
    chunked: fc.boolean(),
  });
}

/** `:id` is the fuzzed id; other `:name`s are the fixtures' real ids. */
const fillPath = (path: string, id: string) => path.replace(":id", id).replace(/:(\w+)/g, (_, name: keyof typeof ids) => ids[name]);

function toRequest(route: Route, input: Fuzzed): RawRequest {
  const headers = { ...input.caller.headers, ...(input.contentType ? { "content-type": input.contentType } : {}) };
  const path = `/api/v1${fillPath(route.path, input.id)}${input.query ? `?${input.query}` : ""}`;
  return { method: route.method, path, headers, body: input.body, chunked: input.chunked };
}

const describeExchange = (request: RawRequest, response: RawResponse) =>
  `${request.method} ${request.path.slice(0, 300)} → ${response.status} ${response.contentType} ${response.text.slice(0, 500)}`;

/** Never a 5xx; a 4xx is `{ error: { code, message, field? } }` with the code's own status. */
function expectWellFormed(request: RawRequest, response: RawResponse): ErrorBody | undefined {
  const exchange = describeExchange(request, response);
  expect(response.status, exchange).toBeGreaterThanOrEqual(200);
  expect(response.status, exchange).toBeLessThan(500);
  if (response.status < 400) return undefined;
  expect(response.contentType, exchange).toMatch(/^application\/json/);
  const body = JSON.parse(response.text) as ErrorBody;
  expect(body, exchange).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
  expect((errorStatus as Record<string, number>)[body.error.code], exchange).toBe(response.status);
  expect(body.error.message.length, exchange).toBeGreaterThan(0);
  if ("field" in body.error) expect(body.error.field, exchange).toMatch(/^\S+$/);
  return body;
}

async function fuzzRoute(route: Route) {
  await fc.assert(
    fc.asyncProperty(requestArb(route), async (input) => {
      const request = toRequest(route, input);
      const response = await sendRaw(warren.port, request);
      expectWellFormed(request, response);
      const exchange = describeExchange(request, response);
      const ok = response.status < 300;
      if (input.caller.who === "anonymous" && route.path !== "/health" && !route.anonymous) expect(ok, `anonymous got an answer: ${exchange}`).toBe(false);
      if (input.caller.who === "user" && route.adminOnly) expect(ok, `a plain user got an admin's answer: ${exchange}`).toBe(false);
      if (route.method === "POST" && route.path === "/tunnels" && response.status === 201) {
        // A fuzzed request that was valid after all: close it at once (it holds a port).
        const { id } = JSON.parse(response.text) as { id: string };
        expect((await admin.delete(`/tunnels/${id}`)).status).toBe(200);
      }
    }),
    { seed: SEED, numRuns: route.runs },
  );
}

describe("every route answers arbitrary input without a 5xx, in the JSON error shape", () => {
  for (const route of ROUTES) {
    it(`${route.method} ${route.path}`, () => fuzzRoute(route), 90_000);
  }
});

/** A valid body, and for each field the JSON types it takes and values of the right type that break one of its rules. */
type FieldCase = {
  method: Route["method"];
  path: string;
  token: () => string;
  base: () => Record<string, unknown>;
  fields: Record<string, JsonType[]>;
  invalid: Record<string, unknown[]>;
};

const hostInvalid = {
  name: ["-x", "a".repeat(64), "x/y", ""],
  address: ["", "a b", "a..b", "-a"],
  port: [0, 65536, 1.5],
  username: ["-x", ""],
  privateKey: ["not a key", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"],
  passphrase: ["x".repeat(1025)],
  hostKeyFingerprint: ["SHA256:", "MD5:aa"],
  policy: [{ kinds: [] }, { kinds: ["tcp"] }, { ports: ["0"] }, { targets: ["1.2.3.4/33"] }, { maxTtlMinutes: 0 }],
};

const FIELD_CASES: FieldCase[] = [
  {
    method: "PATCH",
    path: "/me/notification-settings",
    token: () => tokens.user,
    base: () => ({}),
    fields: { choices: ["object"], slackWebhookUrl: ["string", "null"] },
    invalid: {
      choices: [{ "no.such.kind": { email: true } }, { "tunnel.failed": { email: "yes" } }, { "tunnel.failed": { pager: true } }, { "audit.chain_broken": {} }],
      slackWebhookUrl: ["javascript:alert(1)", "http://10.0.0.1/hook", "https://hooks.example.net/hook", ""],
    },
  },
  {
    method: "POST",
    path: "/hosts",
    token: () => tokens.admin,
    base: () => ({ name: "field-case", address: "127.0.0.1", port: 22, username: "root", privateKey: sshd.privateKey }),
    fields: {
      name: ["string"],
      address: ["string"],
      port: ["number"],
      username: ["string"],
      privateKey: ["string"],
      passphrase: ["string"],
      generateKey: ["boolean"],
      hostKeyFingerprint: ["string"],
      policy: ["object"],
    },
    invalid: hostInvalid,
  },
  {
    method: "PATCH",
    path: "/hosts/:spareHost",
    token: () => tokens.admin,
    base: () => ({}),
    fields: {
      name: ["string"],
      address: ["string"],
      port: ["number"],
      username: ["string"],
      privateKey: ["string"],
      passphrase: ["string"],
      generateKey: ["boolean"],
      hostKeyFingerprint: ["string", "null"],
      policy: ["object"],
    },
    invalid: { ...hostInvalid, generateKey: [false] },
  },
  {
    method: "POST",
    path: "/tunnels",
    token: () => tokens.user,
    base: () => ({
      kind: "local",
      hostId: ids.mainHost,
      listen: { address: "127.0.0.1", port: LISTEN_PORTS.max },
      target: { host: "127.0.0.1", port: 9 },
      ttlMinutes: 5,
      allowedSources: [],
      teamId: null,
    }),
    fields: {
      kind: ["string"],
      hostId: ["string"],
      name: ["string"],
      // null: no port on the bastion, which a local tunnel may ask for.
      listen: ["object", "null"],
      target: ["object"],
      ttlMinutes: ["number"],
      allowedSources: ["array"],
      teamId: ["null"],
    },
    invalid: {
      kind: ["tcp", "LOCAL"],
      hostId: ["", "x".repeat(65), "no-such-host"],
      name: ["", "Orders", "1db", "db_1", "x".repeat(33)],
      listen: [{ port: 0 }, { port: LISTEN_PORTS.max + 1 }, { address: "::1", port: LISTEN_PORTS.max }, {}],
      target: [{ host: "", port: 1 }, { host: "169.254.169.254", port: 80 }, { host: "127.0.0.1" }],
      ttlMinutes: [0, 1.5, 1441, MAX_TTL_MINUTES + 1],
      allowedSources: [["x"], ["1.2.3.4/33"], Array(33).fill("10.0.0.1")],
    },
  },
  {
    method: "POST",
    path: "/tunnels/:userTunnel/extend",
    token: () => tokens.user,
    base: () => ({ ttlMinutes: 5 }),
    fields: { ttlMinutes: ["number"] },
    invalid: { ttlMinutes: [0, 1.5, 1441] },
  },
  {
    method: "DELETE",
    path: "/tunnels/:userTunnel",
    token: () => tokens.user,
    base: () => ({}),
    fields: { reason: ["string"] },
    invalid: { reason: ["", "   ", "a".repeat(201)] },
  },
  {
    method: "POST",
    path: "/tokens",
    token: () => tokens.user,
    base: () => ({ name: "field-case" }),
    fields: { name: ["string"] },
    invalid: { name: ["", "  ", "x".repeat(65)] },
  },
  {
    method: "POST",
    path: "/users",
    token: () => tokens.admin,
    base: () => ({ email: "field-case@fuzz.test", password, name: "Field Case", role: "user" }),
    fields: { email: ["string"], password: ["string"], name: ["string"], role: ["string"] },
    invalid: {
      email: ["a@b", "x", `${"a".repeat(250)}@x.io`],
      password: ["short", "x".repeat(257)],
      name: ["", " ", "x".repeat(101)],
      role: ["root", "ADMIN"],
    },
  },
  {
    method: "PATCH",
    path: "/users/:victim",
    token: () => tokens.admin,
    base: () => ({ disabled: true }),
    fields: { disabled: ["boolean"] },
    invalid: {},
  },
];

describe("a valid body with one field wrong, by type or by value, is a 422 naming that field", () => {
  for (const spec of FIELD_CASES) {
    it(`${spec.method} ${spec.path}`, async () => {
      const path = `/api/v1${spec.path.replace(/:(\w+)/, (_, name: keyof typeof ids) => ids[name])}`;
      const mutation = fc.constantFrom(...Object.keys(spec.fields)).chain((field) => {
        const invalid = spec.invalid[field] ?? [];
        const value = invalid.length ? fc.oneof(wrongType(spec.fields[field]!), fc.constantFrom(...invalid)) : wrongType(spec.fields[field]!);
        return value.map((wrong) => ({ field, wrong }));
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ field, wrong }) => {
          const body = new TextEncoder().encode(JSON.stringify({ ...spec.base(), [field]: wrong }));
          const request: RawRequest = { method: spec.method, path, headers: { ...bearer(spec.token()), "content-type": "application/json" }, body };
          const response = await sendRaw(warren.port, request);
          const error = expectWellFormed(request, response);
          const exchange = describeExchange(request, response);
          expect(response.status, exchange).toBe(422);
          expect(error?.error.field === field || error?.error.field?.startsWith(`${field}.`), `${exchange} should name ${field}`).toBe(true);
        }),
        { seed: SEED, numRuns: 40 },
      );
    });
  }
});

const BODY_ROUTES: [Route["method"], string][] = [
  ["POST", "/hosts"],
  ["POST", "/tunnels"],
  ["POST", "/tokens"],
  ["POST", "/users"],
  ["PATCH", "/hosts/:spareHost"],
  ["PATCH", "/users/:victim"],
  ["POST", "/tunnels/:userTunnel/extend"],
  ["DELETE", "/tunnels/:userTunnel"],
  ["POST", "/teams"],
  ["POST", "/teams/:team/members"],
  ["POST", "/tunnels/:deniedTunnel/deny"],
  ["POST", "/device/code"],
  ["POST", "/device/token"],
  ["PATCH", "/me/notification-settings"],
  ["POST", "/me/notifications/read"],
];
const bodyRoutePath = (path: string) => `/api/v1${path.replace(/:(\w+)/, (_, name: keyof typeof ids) => ids[name])}`;

/** A body of exactly `bytes` bytes: a JSON object with one long string, made of `unit` (1 to 4 bytes in UTF-8). */
function sizedJson(bytes: number, unit = "x"): Uint8Array {
  const overhead = '{"name":""}'.length;
  const unitBytes = Buffer.byteLength(unit);
  const units = Math.floor((bytes - overhead) / unitBytes);
  return new TextEncoder().encode(`{"name":"${unit.repeat(units)}${"x".repeat(bytes - overhead - units * unitBytes)}"}`);
}

const expect413 = (request: RawRequest, response: RawResponse) => {
  const error = expectWellFormed(request, response);
  expect(response.status, describeExchange(request, response)).toBe(413);
  expect(error?.error.code).toBe("payload_too_large");
};

describe("bodies over 64 KiB", () => {
  it("are refused with 413 on every route that reads one, whether their length is told or chunked", async () => {
    const oversized = fc.record({
      route: fc.constantFrom(...BODY_ROUTES),
      who: fc.constantFrom("admin", "user", "anonymous"),
      chunked: fc.boolean(),
      bytes: fc.integer({ min: MAX_BODY + 1, max: 2 * 1024 * 1024 }),
      unit: fc.constantFrom("x", "é", "€", "𝕏"),
    });
    await fc.assert(
      fc.asyncProperty(oversized, async ({ route: [method, path], who, chunked, bytes, unit }) => {
        const headers = who === "anonymous" ? {} : bearer(who === "admin" ? tokens.admin : tokens.user);
        const request: RawRequest = {
          method,
          path: bodyRoutePath(path),
          headers: { ...headers, "content-type": "application/json" },
          body: sizedJson(bytes, unit),
          chunked,
        };
        const response = await sendRaw(warren.port, request);
        // Who is calling is checked first: a stranger's body is never parsed
        // (but on the device flow's routes, which take no credentials),
        // nor a plain user's on a route that is for admins before any body.
        if (who === "anonymous" && !path.startsWith("/device/")) expect(response.status, describeExchange(request, response)).toBe(401);
        else if (who === "user" && response.status === 403) expectWellFormed(request, response);
        else expect413(request, response);
      }),
      { seed: SEED, numRuns: 60 },
    );
  }, 90_000);

  it("counts bytes, not characters, and stops exactly at 64 KiB", async () => {
    const post = (body: Uint8Array) => {
      const request: RawRequest = { method: "POST", path: "/api/v1/tokens", headers: { ...bearer(tokens.user), "content-type": "application/json" }, body };
      return sendRaw(warren.port, request).then((response) => ({ request, response }));
    };
    const atLimit = await post(sizedJson(MAX_BODY));
    expectWellFormed(atLimit.request, atLimit.response);
    expect(atLimit.response.status).toBe(422); // too long a name, but read
    const over = await post(sizedJson(MAX_BODY + 1));
    expect413(over.request, over.response);
    // 16,385 four-byte characters: under 64 Ki characters, over 64 KiB.
    const wide = await post(sizedJson(MAX_BODY + 200, "𝕏"));
    expect(new TextDecoder().decode(wide.request.body).length).toBeLessThan(MAX_BODY);
    expect413(wide.request, wide.response);
  });

  it("are refused with 413 when Content-Length says so, without waiting long for the promised body", async () => {
    // The rest of the body is drained for a moment (so an honest client reads
    // the 413 instead of a reset); a client that never sends it is not waited for.
    for (const [method, path] of BODY_ROUTES) {
      const request: RawRequest = {
        method,
        path: bodyRoutePath(path),
        headers: { ...bearer(tokens.admin), "content-type": "application/json" },
        body: sizedJson(MAX_BODY + 1),
        declaredLength: 10 * 1024 * 1024,
      };
      expect413(request, await sendRaw(warren.port, request, 5_000));
    }
  }, 60_000);

  it("sent under a Content-Length that claims less are cut there: a 4xx, never a 5xx", async () => {
    for (const [method, path] of BODY_ROUTES) {
      const head = `${method} ${bodyRoutePath(path)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokens.admin}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
      // The bytes past the claimed length arrive as a second, garbled request,
      // which Node's HTTP parser answers with a bare 400, closing the connection.
      const statuses = await sendBytes(warren.port, Buffer.concat([Buffer.from(head), sizedJson(MAX_BODY * 2)]));
      expect(statuses.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const status of statuses) expect(status, `${method} ${path}: ${statuses.join(", ")}`).toBeGreaterThanOrEqual(400);
      for (const status of statuses) expect(status, `${method} ${path}: ${statuses.join(", ")}`).toBeLessThan(500);
    }
    expect((await admin.get("/health")).status).toBe(200);
  });
});

const ID_ROUTES = [...ROUTES, ...DELETES].filter((route) => route.path.includes(":id"));

describe("path ids that are not plain text", () => {
  const idRouteArb = fc.constantFrom(...ID_ROUTES);
  const adminOrUser = fc.constantFrom("admin" as const, "user" as const);
  const check = async (route: Route, id: string, who: "admin" | "user") => {
    const request: RawRequest = {
      method: route.method,
      path: `/api/v1${fillPath(route.path, id)}`,
      headers: { ...bearer(tokens[who]), "content-type": "application/json" },
      body: route.body ? new TextEncoder().encode("{}") : undefined,
    };
    expectWellFormed(request, await sendRaw(warren.port, request));
  };

  it("that do not decode to UTF-8 (%zz, %FF, %ED%A0%80…) are a 4xx, not a 500", async () => {
    // Next alone would fail to decode the segment and answer a bare 500;
    // server/index.ts refuses such paths with a JSON 400 first.
    await fc.assert(fc.asyncProperty(idRouteArb, undecodablePathIdArb, adminOrUser, check), { seed: SEED, numRuns: 30 });
  });

  it("that are dot segments (., .., %2e%2e) are never a 5xx and any 4xx is JSON", async () => {
    // Next resolves dot segments first, so a request may land where no route
    // or method is (POST /tunnels/./extend is POST /tunnels/extend): the
    // catch-all route and each route's apiRoute() 405s answer in JSON.
    const dots = fc.constantFrom(".", "..", "%2e", "%2e%2e", "%2E.", ".%2E", "..%2F..");
    await fc.assert(fc.asyncProperty(idRouteArb, dots, adminOrUser, check), { seed: SEED, numRuns: 30 });
  });
});

/** Every route file under app/api/v1 and the methods it takes. */
const ROUTE_METHODS: [string, Route["method"][]][] = [
  ["/health", ["GET"]],
  ["/me", ["GET"]],
  ["/hosts", ["GET", "POST"]],
  ["/hosts/:mainHost", ["GET", "PATCH", "DELETE"]],
  ["/hosts/:mainHost/test", ["POST"]],
  ["/tunnels", ["GET", "POST"]],
  ["/tunnels/:userTunnel", ["GET", "DELETE"]],
  ["/tunnels/:userTunnel/approve", ["POST"]],
  ["/tunnels/:userTunnel/deny", ["POST"]],
  ["/tunnels/:userTunnel/extend", ["POST"]],
  ["/tunnels/:userTunnel/history", ["GET"]],
  ["/tunnels/:userTunnel/connections", ["GET"]],
  ["/tunnels/:userTunnel/connections/no-such-connection", ["DELETE"]],
  ["/tunnels/:userTunnel/reopen", ["POST"]],
  ["/tunnels/:userTunnel/join", ["POST"]],
  ["/tunnels/:userTunnel/participants/:victim", ["DELETE"]],
  ["/tokens", ["GET", "POST"]],
  ["/tokens/:victimToken", ["DELETE"]],
  ["/users", ["GET", "POST"]],
  ["/users/:victim", ["GET", "PATCH"]],
  ["/audit", ["GET"]],
  ["/audit/export", ["GET"]],
  ["/audit/verify", ["GET"]],
  ["/approvals", ["GET"]],
  ["/teams", ["GET", "POST"]],
  ["/teams/:team", ["GET", "PATCH", "DELETE"]],
  ["/teams/:team/members", ["GET", "POST"]],
  ["/teams/:team/members/:victim", ["PATCH", "DELETE"]],
  ["/teams/:team/invitations/no-such-invitation", ["DELETE"]],
  ["/teams/:team/invitations/no-such-invitation/accept", ["POST"]],
  ["/teams/:team/invitations/no-such-invitation/decline", ["POST"]],
  ["/device/code", ["POST"]],
  ["/device/token", ["POST"]],
  ["/device/requests/BCDF-GHJK", ["GET"]],
  ["/device/requests/BCDF-GHJK/approve", ["POST"]],
  ["/device/requests/BCDF-GHJK/deny", ["POST"]],
  ["/devices", ["GET"]],
  ["/devices/:victimToken", ["DELETE"]],
  ["/devices/current", ["DELETE"]],
  ["/me/notifications", ["GET"]],
  ["/me/notifications/read", ["POST"]],
  ["/me/notification-settings", ["GET", "PATCH"]],
  ["/me/notification-settings/test", ["POST"]],
  ["/me/tunnel-attention", ["GET"]],
  ["/me/checklist", ["DELETE"]],
];

describe("methods a route does not take", () => {
  it("are a JSON 405 naming the ones it does, before anything else is asked", async () => {
    for (const [path, allowed] of ROUTE_METHODS) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allowed.includes(m as Route["method"]))) {
        const request: RawRequest = {
          method,
          path: `/api/v1${fillPath(path, "")}`,
          headers: { "content-type": "application/json" },
          body: method === "GET" ? undefined : new TextEncoder().encode("{}"),
        };
        const response = await sendRaw(warren.port, request);
        expect(response.status, describeExchange(request, response)).toBe(405);
        expect(JSON.parse(response.text), describeExchange(request, response)).toEqual({
          error: { code: "method_not_allowed", message: `${method} is not allowed here; use ${allowed.join(" or ")}` },
        });
      }
    }
  });
});

describe("routes that delete", () => {
  for (const route of DELETES) {
    it(`${route.method} ${route.path}`, () => fuzzRoute(route), 90_000);
  }
});

describe("afterwards", () => {
  it("stores nothing invalid: every host, tunnel, user and token parses with the API's own schemas", async () => {
    const same = <T>(schema: z.ZodType<T>, value: unknown, what: string) => expect(schema.parse(value), what).toEqual(value);

    const hosts = (await admin.get<{ hosts: Record<string, unknown>[] }>("/hosts")).body.hosts;
    expect(hosts.map((host) => host.id)).toContain(ids.mainHost);
    for (const host of hosts) {
      const what = `host ${JSON.stringify(host)}`;
      same(hostNameSchema, host.name, what);
      same(networkHostSchema, host.address, what);
      same(portSchema, host.port, what);
      same(sshUsernameSchema, host.username, what);
      same(fingerprintSchema.nullable(), host.hostKeyFingerprint, what);
      same(hostPolicySchema, host.policy, what);
      expect(["unverified", "trusted", "changed"], what).toContain(host.hostKeyStatus);
    }

    type StoredTunnel = {
      id: string;
      kind: string;
      status: string;
      listen: { address: string; port: number } | null;
      target: { host: string; port: number } | null;
      allowedSources: string[];
      expiresAt: string;
    };
    const tunnels = (await admin.get<{ tunnels: StoredTunnel[] }>("/tunnels?status=all&limit=200")).body.tunnels;
    expect(tunnels.map((tunnel) => tunnel.id)).toEqual(expect.arrayContaining([ids.userTunnel, ids.adminTunnel]));
    for (const tunnel of tunnels) {
      const what = `tunnel ${JSON.stringify(tunnel)}`;
      same(tunnelKindSchema, tunnel.kind, what);
      expect(["requested", "pending_approval", "starting", "active", "reconnecting", "closed", "failed", "denied", "expired"], what).toContain(tunnel.status);
      if (tunnel.listen === null) expect(tunnel.kind, what).not.toBe("remote");
      else {
        same(portSchema, tunnel.listen.port, what);
        same(networkHostSchema, tunnel.listen.address, what);
      }
      if (tunnel.listen && tunnel.kind !== "remote") {
        expect(LISTEN_ADDRESSES, what).toContain(tunnel.listen.address);
        expect(tunnel.listen.port, what).toBeGreaterThanOrEqual(LISTEN_PORTS.min);
        expect(tunnel.listen.port, what).toBeLessThanOrEqual(LISTEN_PORTS.max);
      }
      if (tunnel.kind === "dynamic") expect(tunnel.target, what).toBeNull();
      else same(z.object({ host: networkHostSchema, port: portSchema }), tunnel.target, what);
      same(z.array(cidrSchema).max(32), tunnel.allowedSources, what);
      expect(Date.parse(tunnel.expiresAt), what).toBeLessThanOrEqual(Date.now() + MAX_TTL_MINUTES * 60_000);
    }

    type StoredTeam = { name: string; members: { role: string }[] };
    for (const team of (await admin.get<{ teams: StoredTeam[] }>("/teams")).body.teams) {
      same(nameSchema, team.name, `team ${JSON.stringify(team)}`);
      for (const member of team.members) same(teamRoleSchema, member.role, `team ${JSON.stringify(team)}`);
    }

    type StoredUser = { email: string; name: string | null; role: string; disabled: boolean };
    const users = (await admin.get<{ users: StoredUser[] }>("/users")).body.users;
    expect(users.map((user) => user.email)).toEqual(expect.arrayContaining(["admin@fuzz.test", "user@fuzz.test", "victim@fuzz.test"]));
    for (const user of users) {
      const what = `user ${JSON.stringify(user)}`;
      same(emailSchema, user.email, what);
      same(roleSchema, user.role, what);
      same(nameSchema.nullable(), user.name, what);
      expect(typeof user.disabled, what).toBe("boolean");
    }
    // The fuzzers themselves were never disabled nor locked out.
    expect(users.find((user) => user.email === "user@fuzz.test")?.disabled).toBe(false);

    for (const token of [tokens.admin, tokens.user]) {
      const listed = (await apiClient(warren.url, token).get<{ tokens: { name: string; prefix: string }[] }>("/tokens")).body.tokens;
      for (const record of listed) {
        same(tokenNameSchema, record.name, `token ${JSON.stringify(record)}`);
        expect(record.prefix).toMatch(/^wrn_/);
      }
    }
  });

  it("leaves no tunnel open that fuzzing made", async () => {
    const open = (await admin.get<{ tunnels: { id: string }[] }>("/tunnels?limit=200")).body.tunnels.map((tunnel) => tunnel.id);
    const fixtures = [ids.userTunnel, ids.adminTunnel, ids.pendingTunnel, ids.deniedTunnel];
    expect(open.filter((id) => !fixtures.includes(id))).toEqual([]);
  });

  it("keeps the audit chain intact", async () => {
    const verified = await warren.cli(["audit", "verify"]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^audit chain intact: \d+ records verified/);
    expect((await admin.get<{ ok: boolean }>("/audit/verify")).body.ok).toBe(true);
  });

  it("is still alive and healthy, and logged no unhandled error", async () => {
    expect(warren.pid).toBeDefined();
    expect(() => process.kill(warren.pid!, 0)).not.toThrow();
    expect(await admin.get("/health")).toEqual({ status: 200, body: { status: "ok" } });
    for (const match of warren.logs().matchAll(/^.*unhandled error.*(\n\s+at .*)*/gm)) unhandled.add(match[0]);
    expect([...unhandled]).toEqual([]);
  });
});
