// One domain change as a process of its own, which stops just before the
// statement that writes its audit record runs, for a test to SIGKILL it
// there: `node --import tsx tests/harness/audited-change-process.ts '{"change":"createUser","input":{…}}'`
// with WARREN_DATA_DIR set. Prints "stopped" when it stops there, "done" if
// it finishes without writing a record. Nothing in lib/ knows about it: the
// stop is a wrapper around better-sqlite3's `prepare`, which the driver
// adapter calls for every statement.
import { writeSync } from "node:fs";
import Database from "better-sqlite3";
import { createApiToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { systemCtx } from "@/lib/context";
import { createHost, deleteHost } from "@/lib/hosts";
import { addMember, createTeam, removeMember } from "@/lib/teams/teams";
import { createUser, disableUser } from "@/lib/users";

const changes = { createUser, disableUser, createHost, deleteHost, createTeam, addMember, removeMember, createApiToken, revokeApiToken };
const { change, input } = JSON.parse(process.argv[2] ?? "{}") as { change: keyof typeof changes; input: never };

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, sql: string) {
  if (sql.startsWith(`INSERT INTO "AuditEvent"`)) {
    writeSync(1, "stopped\n");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until killed
  }
  return prepare.call(this, sql);
} as typeof prepare;

await changes[change]({ ctx: systemCtx("cli"), input });
writeSync(1, "done\n");
process.exit(0);
