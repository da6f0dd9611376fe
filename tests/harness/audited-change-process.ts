// One domain change as a process of its own, which stops just before the
// statement that writes its audit record runs, for a test to SIGKILL it
// there: `node --import tsx tests/harness/audited-change-process.ts '{"change":"createUser","input":{…}}'`
// with WARREN_DATA_DIR set (and DATABASE_URL, for PostgreSQL). Prints
// "stopped" when it stops there, "done" if it finishes without writing a
// record. Nothing in lib/ knows about it: the stop is a wrapper around the
// driver call each driver adapter makes for every statement, better-sqlite3's
// `prepare` (SQLite) and pg's `Client.query` (PostgreSQL, whose pool's
// clients are pg.Client too). On either database the change's transaction
// is open when the process stops, and the SIGKILL ends it uncommitted.
import { writeSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import { createApiToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { systemCtx } from "@/lib/context";
import { createHost, deleteHost } from "@/lib/hosts";
import { addMember, createTeam, removeMember } from "@/lib/teams/teams";
import { createUser, disableUser } from "@/lib/users";

const changes = { createUser, disableUser, createHost, deleteHost, createTeam, addMember, removeMember, createApiToken, revokeApiToken };
const { change, input } = JSON.parse(process.argv[2] ?? "{}") as { change: keyof typeof changes; input: never };

/** Blocks the whole process, its open transaction with it, when `sql` writes an audit record. */
function stopBeforeAuditRecord(sql: unknown) {
  if (typeof sql === "string" && sql.startsWith(`INSERT INTO "AuditEvent"`)) {
    writeSync(1, "stopped\n");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until killed
  }
}

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, sql: string) {
  stopBeforeAuditRecord(sql);
  return prepare.call(this, sql);
} as typeof prepare;

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  stopBeforeAuditRecord(typeof config === "string" ? config : (config as { text?: unknown } | null)?.text);
  return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
} as typeof query;

await changes[change]({ ctx: systemCtx("cli"), input });
writeSync(1, "done\n");
process.exit(0);
