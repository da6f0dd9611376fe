// `warren rotate-secret` through the real CLI, on the data of a Warren that
// had a host (its key sealed), a person with an authenticator app, an admin's
// audit sink, an app signing key and an audit trail: refused while Warren
// runs, for a bad key and for a broken chain (changing nothing); then the
// sealed values open with the new key only, the chain verifies from its
// start (after two rotations too), and Warren starts on the rotated data and
// reaches the host. The key comes from the data directory on SQLite and from
// the environment on PostgreSQL.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open, seal } from "@/lib/crypto/secret-box";
import { readPrivateKey } from "@/lib/ssh/ssh-keys";
import { apiClient } from "@/tests/harness/api-client";
import { openRawDatabase, type RawDatabase } from "@/tests/harness/raw-database";
import { hostInput, startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { runProcess, startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery";
const TOTP_SECRET = "JBSWY3DPEHPK3PXP";
const SINK_SETTINGS = JSON.stringify({ url: "http://127.0.0.1:9/audit", secret: "a webhook secret of some length" });
const SIGNING_JWK = JSON.stringify({ kty: "EC", crv: "P-256", d: "private" });

let sshd: SshdHandle;
let warren: WarrenHandle;
let db: RawDatabase;
let hostId: string;
let adminToken: string;

const onPostgresql = () => /^postgres/.test(warren.env.DATABASE_URL ?? "");
const keyFile = () => path.join(warren.dataDir, "secret-key");
/** The key Warren was started with: its data directory's, or (PostgreSQL) the environment's. */
const firstKey = () => Buffer.from((warren.env.WARREN_SECRET_KEY ?? readFileSync(keyFile(), "utf8")).trim(), "hex");
/** What Warren needs in its environment to use `key`: nothing on SQLite, whose key file rotate-secret rewrites. */
const keyEnv = (key: Buffer): Record<string, string> => (onPostgresql() ? { WARREN_SECRET_KEY: key.toString("hex") } : {});
const cli = (key: Buffer, args: string[], input?: string) => runProcess(["bin/warren.ts", ...args], { ...warren.env, ...keyEnv(key) }, input);

type Sealed = { privateKeyEnc: string; totpSecretEnc: string; configEnc: string; privateJwk: string };
async function sealedValues(): Promise<Sealed> {
  const host = await db.get<{ privateKeyEnc: string }>(`SELECT "privateKeyEnc" FROM "Host" WHERE "id" = ?`, hostId);
  const user = await db.get<{ totpSecretEnc: string }>(`SELECT "totpSecretEnc" FROM "User" WHERE "email" = 'alice@example.com'`);
  const sink = await db.get<{ configEnc: string }>(`SELECT "configEnc" FROM "AuditSink" WHERE "name" = 'siem'`);
  const signing = await db.get<{ privateJwk: string }>(`SELECT "privateJwk" FROM "SigningKey" WHERE "kid" = 'k1'`);
  return { ...host!, ...user!, ...sink!, ...signing! };
}

/** Each sealed value opened with `key` (throws when it does not open). */
function opened(sealed: Sealed, key: Buffer) {
  return {
    publicKey: readPrivateKey(open(sealed.privateKeyEnc, "host.privateKey", key)).publicKey,
    totp: open(sealed.totpSecretEnc, "totp-secret", key),
    sink: open(sealed.configEnc, "audit-sink", key),
    signing: open(sealed.privateJwk, "app signing key", key),
  };
}

const lastRecord = () =>
  db.get<{ seq: number; action: string; details: string; prevHash: string; hash: string }>(`SELECT * FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1`);

beforeAll(async () => {
  [sshd, warren] = await Promise.all([startSshd(), startWarren()]);
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  adminToken = await warren.createToken("admin@example.com");
  const created = await apiClient(warren.url, adminToken).post<{ id: string }>("/hosts", { name: "db", ...hostInput(sshd) });
  expect(created.status).toBe(201);
  hostId = created.body.id;
  expect((await warren.cli(["team", "create", "--name", "ops", "--owner", "admin@example.com"])).code).toBe(0);
  db = await openRawDatabase(warren);
  const key = firstKey();
  await db.run(`UPDATE "User" SET "totpSecretEnc" = ? WHERE "email" = 'alice@example.com'`, seal(TOTP_SECRET, "totp-secret", key));
  await db.run(
    `INSERT INTO "AuditSink" ("name", "kind", "source", "target", "configEnc") VALUES ('siem', 'webhook', 'admin', 'http://127.0.0.1:9/audit', ?)`,
    seal(SINK_SETTINGS, "audit-sink", key),
  );
  await db.run(`INSERT INTO "SigningKey" ("kid", "privateJwk", "publicJwk") VALUES ('k1', ?, '{}')`, seal(SIGNING_JWK, "app signing key", key));
});
afterAll(async () => {
  await db?.close();
  await warren?.dispose();
  await sshd?.dispose();
});

describe("rotate-secret refuses", () => {
  it("while Warren runs", async () => {
    const refused = await cli(firstKey(), ["rotate-secret", "--generate"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /warren: Warren is running on \S+ \(heartbeat [^)]+\): stop it on every node, then run rotate-secret again; nothing was changed/,
    );
    expect(refused.stdout).toBe("");
    await warren.stop();
  });

  it("a malformed new key, or neither option, naming what to give", async () => {
    const malformed = await cli(firstKey(), ["rotate-secret", "--new-key-stdin"], "not-a-key\n");
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("warren: rotate-secret: --new-key-stdin: must be 32 bytes as 64 hex digits or base64");
    const neither = await cli(firstKey(), ["rotate-secret"]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain("warren: rotate-secret: give --new-key-stdin or --generate (one of them)");
  });

  it("a chain with a tampered record, changing nothing", async () => {
    const before = await sealedValues();
    const original = await db.get<{ details: string }>(`SELECT "details" FROM "AuditEvent" WHERE "seq" = 2`);
    await db.run(`UPDATE "AuditEvent" SET "details" = '{"forged":true}' WHERE "seq" = 2`);
    try {
      const refused = await cli(firstKey(), ["rotate-secret", "--generate"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        "warren: audit chain broken at record 2: record 2 was edited: its contents no longer match its seal (1 records verified before it): a broken chain is not continued under a new key; nothing was changed",
      );
      expect(refused.stdout).toBe("");
      expect(await sealedValues()).toEqual(before);
      expect(await db.all(`SELECT * FROM "AuditKeyEpoch"`)).toEqual([]);
      if (!onPostgresql()) expect(existsSync(`${keyFile()}.next`)).toBe(false);
    } finally {
      await db.run(`UPDATE "AuditEvent" SET "details" = ? WHERE "seq" = 2`, original!.details);
    }
  });
});

describe("rotate-secret", () => {
  let oldKey: Buffer;
  let newKey: Buffer;

  it("prints a generated key alone on standard output and re-encrypts every sealed value under it", async () => {
    oldKey = firstKey();
    const before = opened(await sealedValues(), oldKey);
    const head = await lastRecord();
    const rotated = await cli(oldKey, ["rotate-secret", "--generate"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    newKey = Buffer.from(rotated.stdout.trim(), "hex");
    expect(rotated.stderr).toContain("the new WARREN_SECRET_KEY, shown this once");
    expect(rotated.stderr).toMatch(
      /rotated WARREN_SECRET_KEY: 4 sealed values re-encrypted; the audit chain continues under the new key from record \d+ \(audit.key_rotated\)/,
    );
    expect(rotated.stderr).toContain(
      onPostgresql() ? "WARREN_SECRET_KEY comes from the environment: set it to the new key on every node" : `the new key is in ${keyFile()}`,
    );
    if (!onPostgresql()) expect(readFileSync(keyFile(), "utf8").trim()).toBe(newKey.toString("hex"));

    const after = await sealedValues();
    expect(opened(after, newKey)).toEqual(before);
    expect(before).toMatchObject({ totp: TOTP_SECRET, sink: SINK_SETTINGS, signing: SIGNING_JWK });
    expect(() => open(after.privateKeyEnc, "host.privateKey", oldKey)).toThrow();
    expect(() => open(after.totpSecretEnc, "totp-secret", oldKey)).toThrow();

    const record = await lastRecord();
    expect(record).toMatchObject({ seq: head!.seq + 1, action: "audit.key_rotated", prevHash: head!.hash });
    expect(JSON.parse(record!.details)).toMatchObject({ by: "cli", previousHead: { seq: head!.seq, hash: head!.hash }, resealed: 4 });
  });

  it("leaves a chain that verifies from its start under the new key, and not under the old", async () => {
    const verified = await cli(newKey, ["audit", "verify"]);
    expect(verified.stderr).toBe("");
    expect(verified.stdout).toMatch(/^audit chain intact: \d+ records verified, up to record \d+/);
    expect(verified.code).toBe(0);
    const withOldKey = await runProcess(["bin/warren.ts", "audit", "verify"], { ...warren.env, WARREN_SECRET_KEY: oldKey.toString("hex") });
    expect(withOldKey.code).toBe(1);
    expect(withOldKey.stderr).toContain("does not open with this WARREN_SECRET_KEY: it is not the key Warren rotated to");
  });

  it("gives data Warren starts on with the new key, reaching the host with its re-encrypted key", async () => {
    const again = await startWarren({ dataDir: warren.dataDir, env: keyEnv(newKey) });
    try {
      const tested = await apiClient(again.url, adminToken).post<{ ok: boolean }>(`/hosts/${hostId}/test`, {});
      expect(tested.status).toBe(200);
      expect(tested.body.ok).toBe(true);
    } finally {
      expect((await again.stop()).code).toBe(0);
    }
    expect((await cli(newKey, ["audit", "verify"])).code).toBe(0);
  });

  it("rotates again from a key on standard input, the chain still verifying from its start", async () => {
    const third = Buffer.alloc(32, 7);
    const rotated = await cli(newKey, ["rotate-secret", "--new-key-stdin"], `${third.toString("hex")}\n`);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain("rotated WARREN_SECRET_KEY: 5 sealed values re-encrypted");
    expect(rotated.stdout).not.toContain(third.toString("hex"));
    expect(await db.all(`SELECT "fromSeq" FROM "AuditKeyEpoch"`)).toHaveLength(2);
    expect(opened(await sealedValues(), third)).toMatchObject({ totp: TOTP_SECRET });
    const verified = await cli(third, ["audit", "verify"]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
  });
});
