// `warren backup FILE` and `warren restore FILE`: a running Warren with
// people, a host with a stored key and an audit trail, backed up while it
// runs and restored into a fresh data directory, where the audit chain
// verifies, the host's key decrypts with the restored secret key, and Warren
// starts and lets the same people in. SQLite only: on PostgreSQL, backup and
// restore are pg_dump's and pg_restore's.
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open } from "@/lib/crypto/secret-box";
import { readPrivateKey } from "@/lib/ssh/ssh-keys";
import { apiClient } from "@/tests/harness/api-client";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { runProcess, startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery";

let warren: WarrenHandle;
let scratch: string;
let archive: string;
let restored: string;
let adminToken: string;

const modeOf = (file: string) => statSync(file).mode & 0o777;
/** A CLI command with the instance's environment, on the data directory `dataDir`. */
const cliOn = (dataDir: string, args: string[]) => runProcess(["bin/warren.ts", ...args], { ...warren.env, WARREN_DATA_DIR: dataDir });

beforeAll(async () => {
  warren = await startWarren();
  scratch = await mkdtemp(path.join(os.tmpdir(), "warren-backup-"));
  archive = path.join(scratch, "warren-backup.tar");
  restored = path.join(scratch, "restored");
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  adminToken = await warren.createToken("admin@example.com");
  const created = await apiClient(warren.url, adminToken).post("/hosts", { name: "db", address: "127.0.0.1", port: 22, username: "warren", generateKey: true });
  expect(created.status).toBe(201);
  expect((await warren.cli(["team", "create", "--name", "ops", "--owner", "admin@example.com"])).code).toBe(0);
});
afterAll(async () => {
  await warren?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("backup", () => {
  it("writes the database, the generated secrets and the audit anchor of a running Warren into one archive, mode 0600", async () => {
    const backup = await warren.cli(["backup", archive]);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`backed up warren.db, secret-key, auth-secret, audit-head.log into ${archive} (mode 0600)`);
    expect(modeOf(archive)).toBe(0o600);
  });

  it("refuses to write over an existing file", async () => {
    const again = await warren.cli(["backup", archive]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`warren: ${archive} already exists: a backup goes into a new file`);
  });

  it("says that a secret key given by the environment is not in the archive", async () => {
    const key = readFileSync(path.join(warren.dataDir, "secret-key"), "utf8").trim();
    const backup = await runProcess(["bin/warren.ts", "backup", path.join(scratch, "with-key-given.tar")], { ...warren.env, WARREN_SECRET_KEY: key });
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain("backed up warren.db, auth-secret, audit-head.log into");
    expect(backup.stdout).toContain(
      "WARREN_SECRET_KEY comes from the environment, not from secret-key in the data directory: it is not in the archive; keep it separately",
    );
  });

  it("refuses a PostgreSQL database, pointing to pg_dump", async () => {
    const onPostgresql = { ...warren.env, DATABASE_URL: "postgresql://warren@127.0.0.1:1/warren" };
    const refused = await runProcess(["bin/warren.ts", "backup", path.join(scratch, "postgresql.tar")], onPostgresql);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("warren: backup handles a SQLite database; this Warren uses PostgreSQL (DATABASE_URL): back it up with pg_dump");
  });
});

describe("restore", () => {
  it("puts the archive into an empty data directory, files mode 0600, where the audit chain verifies", async () => {
    // Warren keeps writing after the backup: the restored anchor must match the archived database, not the live one.
    expect((await warren.cli(["team", "create", "--name", "later"])).code).toBe(0);
    const restore = await cliOn(restored, ["restore", archive]);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`restored warren.db, secret-key, auth-secret, audit-head.log from ${archive} into ${restored}`);
    for (const file of ["warren.db", "secret-key", "auth-secret", "audit-head.log"]) expect(modeOf(path.join(restored, file))).toBe(0o600);
    const verify = await cliOn(restored, ["audit", "verify"]);
    expect(verify.stderr).toBe("");
    expect(verify.stdout).toMatch(/^audit chain intact: \d+ records verified/);
    expect(verify.code).toBe(0);
  });

  it("keeps the host's key readable with the restored secret key", async () => {
    const db = await openRawDatabase({ dataDir: restored });
    const host = await db.get<{ privateKeyEnc: string; publicKey: string }>(`SELECT "privateKeyEnc", "publicKey" FROM "Host" WHERE name = 'db'`);
    await db.close();
    const key = Buffer.from(readFileSync(path.join(restored, "secret-key"), "utf8").trim(), "hex");
    const derived = readPrivateKey(open(host!.privateKeyEnc, "host.privateKey", key)).publicKey;
    expect(host!.publicKey.split(" ").slice(0, 2).join(" ")).toBe(derived);
  });

  it("gives a data directory Warren starts on, with the same people, tokens and hosts", async () => {
    const again = await startWarren({ dataDir: restored });
    try {
      const hosts = await apiClient(again.url, adminToken).get<{ hosts: { name: string }[] }>("/hosts");
      expect(hosts.status).toBe(200);
      expect(hosts.body.hosts.map((host) => host.name)).toEqual(["db"]);
      const teams = await again.cli(["team", "list"]);
      expect(teams.stdout).toContain("ops");
      expect(teams.stdout).not.toContain("later");
      expect((await again.cli(["audit", "verify"])).code).toBe(0);
    } finally {
      await again.stop();
    }
  });

  it("refuses a data directory that has a database, naming it and overwriting nothing", async () => {
    const before = readFileSync(path.join(restored, "warren.db"));
    const refused = await cliOn(restored, ["restore", archive]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`warren: WARREN_DATA_DIR (${restored}) is not empty: ${path.join(restored, "warren.db")}`);
    expect(readFileSync(path.join(restored, "warren.db")).equals(before)).toBe(true);
  });

  it("refuses a file that is not a Warren backup", async () => {
    const refused = await cliOn(path.join(scratch, "other"), ["restore", path.join(warren.dataDir, "secret-key")]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is not a Warren backup");
  });
});
