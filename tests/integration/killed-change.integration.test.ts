// A change and its audit record commit together or not at all: a process
// SIGKILLed between the two, just before its record is written, leaves
// neither in the database; a change that finishes leaves both. The killed
// process is tests/harness/audited-change-process.ts, on this test's database
// (SQLite or PostgreSQL).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { systemCtx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { createHost, deleteHost } from "@/lib/hosts";
import { addMember, createTeam, removeMember } from "@/lib/teams/teams";
import { createUser, disableUser } from "@/lib/users";
import { createApiTokenSchema } from "@/lib/validation/api-tokens";
import { useTestDatabase } from "@/tests/harness/test-database";

let db: Awaited<ReturnType<typeof useTestDatabase>>;
const cli = systemCtx("cli");
const password = "correct horse battery";

beforeAll(async () => {
  db = await useTestDatabase();
});
afterAll(() => db?.dispose());

const CHILD = new URL("../harness/audited-change-process.ts", import.meta.url).pathname;

/** Runs `change` in a child process and SIGKILLs it where its audit record is about to be written. */
async function killedBeforeItsRecord(change: string, input: unknown) {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, JSON.stringify({ change, input })], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  const lines = createInterface({ input: child.stdout });
  const [first] = (await Promise.race([once(lines, "line"), exited.then(() => ["(exited)"])])) as string[];
  child.kill("SIGKILL");
  await exited;
  expect(first, `${change} never reached its audit record`).toBe("stopped");
}

const recorded = async (action: string, mention: string) => (await getPrisma().auditEvent.count({ where: { action, details: { contains: mention } } })) > 0;

const user = (email: string) => createUser({ ctx: cli, input: { email, password, name: "K", role: "user" } });
const team = (name: string) => createTeam({ ctx: cli, input: { name } });
const host = (name: string) => createHost({ ctx: cli, input: { name, address: "127.0.0.1", port: 22, username: "warren", generateKey: true } });

/** Each kind of change: what it needs first, its input, and whether the change and its record are in the database. */
const kinds: Record<string, { change: string; input: (id: string) => Promise<unknown>; found: (id: string) => Promise<{ change: boolean; record: boolean }> }> =
  {
    "a user created": {
      change: "createUser",
      input: async (id) => ({ email: `${id}@example.com`, password, role: "user" }),
      found: async (id) => ({
        change: (await getPrisma().user.count({ where: { email: `${id}@example.com` } })) > 0,
        record: await recorded("user.created", `${id}@example.com`),
      }),
    },
    "a user disabled": {
      change: "disableUser",
      input: async (id) => (await user(`${id}@example.com`)) && { email: `${id}@example.com` },
      found: async (id) => ({
        change: (await getPrisma().user.findUniqueOrThrow({ where: { email: `${id}@example.com` } })).disabled,
        record: await recorded("user.disabled", `${id}@example.com`),
      }),
    },
    "a host created": {
      change: "createHost",
      input: async (id) => ({ name: id, address: "127.0.0.1", port: 22, username: "warren", generateKey: true }),
      found: async (id) => ({ change: (await getPrisma().host.count({ where: { name: id } })) > 0, record: await recorded("host.created", `"${id}"`) }),
    },
    "a host deleted": {
      change: "deleteHost",
      input: async (id) => ({ id: (await host(id)).id }),
      found: async (id) => ({ change: (await getPrisma().host.count({ where: { name: id } })) === 0, record: await recorded("host.deleted", `"${id}"`) }),
    },
    "a team created": {
      change: "createTeam",
      input: async (id) => ({ name: id }),
      found: async (id) => ({ change: (await getPrisma().team.count({ where: { name: id } })) > 0, record: await recorded("team.created", `"${id}"`) }),
    },
    "a team member added": {
      change: "addMember",
      input: async (id) => ({ teamId: (await team(id)).id, member: { email: (await user(`${id}@example.com`)).email, role: "member" } }),
      found: async (id) => ({
        change: (await getPrisma().membership.count({ where: { user: { email: `${id}@example.com` } } })) > 0,
        record: await recorded("team.member_added", `${id}@example.com`),
      }),
    },
    "a team member removed": {
      change: "removeMember",
      input: async (id) => {
        const { id: teamId } = await team(id);
        const { id: userId, email } = await user(`${id}@example.com`);
        await addMember({ ctx: cli, input: { teamId, member: { email, role: "member" } } });
        return { teamId, userId };
      },
      found: async (id) => ({
        change: (await getPrisma().membership.count({ where: { user: { email: `${id}@example.com` } } })) === 0,
        record: await recorded("team.member_removed", `${id}@example.com`),
      }),
    },
    "a token created": {
      change: "createApiToken",
      input: async (id) => ({ userId: (await user(`${id}@example.com`)).id, ...createApiTokenSchema.parse({ name: id }) }),
      found: async (id) => ({ change: (await getPrisma().apiToken.count({ where: { name: id } })) > 0, record: await recorded("token.created", `"${id}"`) }),
    },
    "a token revoked": {
      change: "revokeApiToken",
      input: async (id) => ({
        id: (await createApiToken({ ctx: cli, input: { userId: (await user(`${id}@example.com`)).id, ...createApiTokenSchema.parse({ name: id }) } })).record
          .id,
      }),
      found: async (id) => ({
        change: (await getPrisma().apiToken.count({ where: { name: id, revokedAt: { not: null } } })) > 0,
        record: await recorded("token.revoked", `"${id}"`),
      }),
    },
  };

const inProcess = { createUser, disableUser, createHost, deleteHost, createTeam, addMember, removeMember, createApiToken, revokeApiToken } as Record<
  string,
  (args: { ctx: typeof cli; input: never }) => Promise<unknown>
>;

describe("a process killed between a change and its audit record", () => {
  for (const [kind, { change, input, found }] of Object.entries(kinds)) {
    it(`leaves neither ${kind} nor its record; finished, both`, async () => {
      const killed = `killed-${change.toLowerCase()}`;
      await killedBeforeItsRecord(change, await input(killed));
      expect(await found(killed)).toEqual({ change: false, record: false });

      const finished = `finished-${change.toLowerCase()}`;
      await inProcess[change]!({ ctx: cli, input: (await input(finished)) as never });
      expect(await found(finished)).toEqual({ change: true, record: true });
    });
  }
});
