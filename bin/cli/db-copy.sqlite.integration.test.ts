// `warren db copy`: a Warren on SQLite, with people, a team, a host, tokens,
// sessions and an audit trail, moved to a throwaway PostgreSQL server. The
// copy holds every row as it was, its audit chain verifies with the same data
// directory, and Warren started on it lets the same people in to the same
// hosts. SQLite only: the source of a move is SQLite.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COPY_ORDER } from "@/lib/db/copy-order";
import { openPrisma } from "@/lib/db/prisma";
import { apiClient } from "@/tests/harness/api-client";
import { startPostgresql, type PostgresqlHandle } from "@/tests/harness/postgresql";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { signInCookie } from "@/tests/harness/sign-in";
import { runProcess, startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery";
const SQLITE_DATE = "2026-01-01T00:00:00.000+00:00";

let warren: WarrenHandle;
let onPostgresql: WarrenHandle | undefined;
let postgresql: PostgresqlHandle;
let target: string;
let tokens: { admin: string; alice: string };

/** Warren on a copy: its DATABASE_URL, and the keys the SQLite instance generated into its data directory. */
const onCopy = (url: string) => ({
  DATABASE_URL: url,
  WARREN_SECRET_KEY: readFileSync(path.join(warren.dataDir, "secret-key"), "utf8").trim(),
  AUTH_SECRET: readFileSync(path.join(warren.dataDir, "auth-secret"), "utf8").trim(),
});

/** A CLI command with the instance's environment, `env` over it. */
const cliWith = (env: Record<string, string>, args: string[]) => runProcess(["bin/warren.ts", ...args], { ...warren.env, ...env });

/** Each table's rows, in the instance's SQLite database or, with `env`, the DATABASE_URL it names. */
async function rowCounts(env?: Record<string, string>): Promise<Record<string, number>> {
  const db = await openRawDatabase({ dataDir: warren.dataDir, env });
  try {
    const counts: Record<string, number> = {};
    for (const { model } of COPY_ORDER) counts[model] = Number((await db.get<{ n: number | string }>(`SELECT count(*) AS n FROM "${model}"`))!.n);
    return counts;
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  expect((await warren.cli(["user", "create", "--email", "ivy@example.com"])).code).toBe(0); // a one-time link (PasswordLink)
  tokens = { admin: await warren.createToken("admin@example.com"), alice: await warren.createToken("alice@example.com") };
  const admin = apiClient(warren.url, tokens.admin);
  expect((await admin.post("/hosts", { name: "db", address: "127.0.0.1", port: 22, username: "warren", generateKey: true })).status).toBe(201);
  expect((await warren.cli(["team", "create", "--name", "ops", "--owner", "admin@example.com"])).code).toBe(0);
  expect((await warren.cli(["team", "add", "--team", "ops", "--email", "alice@example.com"])).code).toBe(0);
  await signInCookie(warren.url, "alice@example.com", password);
  const { id: hostId } = (await admin.get<{ hosts: { id: string }[] }>("/hosts")).body.hosts[0]!;
  await warren.stop();

  // Behind Warren's back: more rows than a page of the copy, in an access log
  // (an autoincrement id) and a host shared with many teams (a compound key);
  // a closed tunnel whose counters are past 2^53 (64-bit integers).
  const source = await openRawDatabase(warren);
  const numbers = (count: number) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})`;
  await source.run(
    `${numbers(2500)} INSERT INTO "AppRequest" ("id", "tunnelId", "sessionId", "at", "method", "path", "status", "bytesIn", "bytesOut", "ms")
     SELECT i, 'tunnel', 'session', ?, 'GET', '/' || i, 200, i, 0, 1 FROM n`,
    SQLITE_DATE,
  );
  await source.run(
    `${numbers(1200)} INSERT INTO "Team" ("id", "name", "idpGroups", "createdAt") SELECT 'bulk' || i, 'bulk-' || i, '[]', ? FROM n`,
    SQLITE_DATE,
  );
  await source.run(`INSERT INTO "HostTeam" ("hostId", "teamId") SELECT ?, "id" FROM "Team" WHERE "id" LIKE 'bulk%'`, hostId);
  await source.run(
    `INSERT INTO "Tunnel" ("id", "kind", "hostId", "ownerId", "status", "expiresAt", "createdAt", "updatedAt", "closedAt", "bytesIn", "bytesOut")
     SELECT 'tunnel1', 'local', ?, "id", 'closed', ?, ?, ?, ?, 9007199254740993, 5 FROM "User" WHERE "email" = 'alice@example.com'`,
    hostId,
    ...Array(4).fill(SQLITE_DATE),
  );
  await source.run(
    `INSERT INTO "TunnelConnection" ("id", "tunnelId", "source", "bytesIn", "bytesOut", "openedAt") VALUES ('connection1', 'tunnel1', '127.0.0.1:5555', 9007199254740993, 42, ?)`,
    SQLITE_DATE,
  );
  await source.close();

  postgresql = await startPostgresql();
  target = await postgresql.database("warren_copy");
});

afterAll(async () => {
  await onPostgresql?.stop();
  await warren?.dispose();
  await postgresql?.dispose();
});

describe("warren db copy", () => {
  it("copies every row of every table into the PostgreSQL database, and says what to do next", async () => {
    const before = await rowCounts();
    const copy = await warren.cli(["db", "copy", "--to", target]);
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    const lines = copy.stdout.trim().split("\n");
    expect(lines.slice(0, -1)).toEqual(COPY_ORDER.map(({ model }) => `copied ${before[model]!.toLocaleString("en-US")} ${model} rows`));
    expect(lines).toContain("copied 2,500 AppRequest rows");
    expect(lines.at(-1)).toBe(
      `done: restart Warren with DATABASE_URL=${target} and the same WARREN_DATA_DIR (${warren.dataDir}), whose audit head anchor belongs with this data; set WARREN_SECRET_KEY and AUTH_SECRET, on every node, to the ones this Warren uses (WARREN_SECRET_KEY is in ${warren.dataDir}/secret-key, AUTH_SECRET is in ${warren.dataDir}/auth-secret)`,
    );

    expect(await rowCounts({ DATABASE_URL: target })).toEqual(before);
    expect(before).toMatchObject({
      User: 3,
      ApiToken: 2,
      PasswordLink: 1,
      AuthSession: 1,
      Host: 1,
      Team: 1201,
      Membership: 2,
      HostTeam: 1200,
      Tunnel: 1,
      TunnelConnection: 1,
    });
    expect(before.AuditEvent).toBeGreaterThan(5);
  });

  it("holds the same values, field by field, as Prisma reads them from each (dates, enums, 64-bit counters)", async () => {
    const sqlite = openPrisma({ provider: "sqlite", url: `file:${warren.dataDir}/warren.db`, file: `${warren.dataDir}/warren.db` });
    const pg = openPrisma({ provider: "postgresql", url: target });
    try {
      for (const { model, key } of COPY_ORDER) {
        const delegate = (client: typeof sqlite) =>
          (client as unknown as Record<string, { findMany(args: object): Promise<unknown[]> }>)[`${model[0]!.toLowerCase()}${model.slice(1)}`]!;
        const orderBy = key.map((field) => ({ [field]: "asc" }));
        expect({ model, rows: await delegate(pg).findMany({ orderBy }) }).toEqual({ model, rows: await delegate(sqlite).findMany({ orderBy }) });
      }
      expect(await pg.tunnelConnection.findUnique({ where: { id: "connection1" } })).toMatchObject({ bytesIn: 9007199254740993n, bytesOut: 42n });
    } finally {
      await Promise.all([sqlite.$disconnect(), pg.$disconnect()]);
    }
  });

  it("passes audit verify on the copy, with the same data directory", async () => {
    const { AuditEvent: records } = await rowCounts();
    const verify = await cliWith(onCopy(target), ["audit", "verify"]);
    expect(verify).toMatchObject({ code: 0, stdout: `audit chain intact: ${records} records verified, up to record ${records}\n` });
  });

  it("refuses a second copy into the same database, now not empty", async () => {
    const again = await warren.cli(["db", "copy", "--to", target]);
    expect(again).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "warren: db copy: the target database is not empty (User has 3 rows); copy into a new, empty database\n",
    });
  });

  it("refuses a --to that is not a PostgreSQL URL or is the database Warren uses, and a source without records", async () => {
    for (const [to, message] of [
      ["file:/tmp/warren.db", "--to: must be a postgresql://user:password@host:port/database URL"],
      ["postgresql://", "--to: is not a valid postgresql://user:password@host:port/database URL"],
    ]) {
      const refused = await warren.cli(["db", "copy", "--to", to!]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`^warren: ${message!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\n\nusage:`));
    }
    expect((await warren.cli(["db", "copy"])).stderr).toMatch(/^warren: db copy: missing --to\n/);
    const itself = await cliWith(onCopy(target), ["db", "copy", "--to", target]);
    expect(itself.code).toBe(1);
    expect(itself.stderr).toMatch(/^warren: db copy: --to is the database Warren uses now \(localhost:\d+\/warren_copy\); copy into a new, empty database\n$/);

    const elsewhere = await mkdtemp(path.join(os.tmpdir(), "warren-data-"));
    try {
      const empty = await cliWith({ WARREN_DATA_DIR: elsewhere }, ["db", "copy", "--to", await postgresql.database("warren_unused")]);
      expect(empty).toMatchObject({
        code: 1,
        stderr: `warren: db copy: the database to copy (${elsewhere}/warren.db) holds no records: run the copy with the server's WARREN_DATA_DIR and DATABASE_URL\n`,
      });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("runs Warren on the copy: the same people sign in with their passwords and tokens, and see the same hosts and teams", async () => {
    onPostgresql = await startWarren({ dataDir: warren.dataDir, env: onCopy(target) });
    await signInCookie(onPostgresql.url, "alice@example.com", password);
    const alice = apiClient(onPostgresql.url, tokens.alice);
    expect((await alice.get<{ hosts: { name: string }[] }>("/hosts")).body.hosts.map((host) => host.name)).toEqual(["db"]);
    const admin = apiClient(onPostgresql.url, tokens.admin);
    const teams = (await admin.get<{ teams: { name: string; members: { email: string }[] }[] }>("/teams")).body.teams;
    expect(
      teams
        .find((team) => team.name === "ops")
        ?.members.map((member) => member.email)
        .sort(),
    ).toEqual(["admin@example.com", "alice@example.com"]);
    await onPostgresql.stop();

    // Its chain went on from the copied records (the start, the sign-in), and still verifies.
    const verify = await cliWith(onCopy(target), ["audit", "verify"]);
    expect(verify.code).toBe(0);
    expect(Number(/(\d+) records verified/.exec(verify.stdout)?.[1])).toBeGreaterThan((await rowCounts()).AuditEvent!);
  });

  it("copies from PostgreSQL too, in one snapshot of it", async () => {
    const second = await postgresql.database("warren_second");
    const copy = await cliWith(onCopy(target), ["db", "copy", "--to", second]);
    expect(copy.code).toBe(0);
    expect(await rowCounts({ DATABASE_URL: second })).toEqual(await rowCounts({ DATABASE_URL: target }));
  });

  it("leaves the target empty when the copy fails half way, so that it can be run again", async () => {
    const source = await openRawDatabase(warren);
    // PostgreSQL's text holds no NUL character; SQLite's does.
    await source.run(
      `INSERT INTO "AppRequest" ("id", "tunnelId", "sessionId", "at", "method", "path", "status", "bytesIn", "bytesOut", "ms") VALUES (9999, 't', 's', ?, 'GET', '/a' || char(0), 200, 0, 0, 1)`,
      SQLITE_DATE,
    );
    const retried = await postgresql.database("warren_retried");
    try {
      const failed = await warren.cli(["db", "copy", "--to", retried]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain("copied 1,200 HostTeam rows");
      expect(failed.stderr).toMatch(
        /^warren: db copy: copying AppRequest, after 2,000 rows, failed \(.+\); nothing was written to the target, whose tables are still empty: fix the cause and run the copy again\n$/s,
      );
      expect(Object.values(await rowCounts({ DATABASE_URL: retried })).every((count) => count === 0)).toBe(true);
    } finally {
      await source.run(`DELETE FROM "AppRequest" WHERE "id" = 9999`);
      await source.close();
    }
    expect((await warren.cli(["db", "copy", "--to", retried])).code).toBe(0);
    expect(await rowCounts({ DATABASE_URL: retried })).toEqual(await rowCounts());
  });

  it("moved the autoincrement sequence past the copied ids", async () => {
    const db = await openRawDatabase({ dataDir: warren.dataDir, env: { DATABASE_URL: target } });
    try {
      const next = await db.get<{ id: number }>(
        `INSERT INTO "AppRequest" ("tunnelId", "sessionId", "at", "method", "path", "status", "bytesIn", "bytesOut", "ms") VALUES ('t', 's', ?, 'GET', '/', 200, 0, 0, 1) RETURNING "id"`,
        new Date(),
      );
      expect(next?.id).toBe(2501);
    } finally {
      await db.close();
    }
  });
});
