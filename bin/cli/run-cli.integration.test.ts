// The CLI in-process against a real test database: its commands are the
// domain's functions run as the system actor, so they answer as the API does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/bin/cli/run-cli";
import { useTestDatabase } from "@/tests/harness/test-database";

let db: Awaited<ReturnType<typeof useTestDatabase>>;
const password = "correct horse battery";

beforeAll(async () => {
  db = await useTestDatabase();
});
afterAll(() => db.dispose());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe("warren user list", () => {
  it("lists users as the domain's listUsers does: by email, with role and disabled", async () => {
    for (const email of ["zoe@example.com", "ada@example.com", "max@example.com"]) {
      expect((await cli("user", "create", "--email", email, "--password", password)).code).toBe(0);
    }
    expect((await cli("user", "disable", "--email", "max@example.com")).code).toBe(0);

    const listed = await cli("user", "list");
    expect(listed.code).toBe(0);
    expect(listed.out.map((line) => line.split(/\s+/).slice(1))).toEqual([
      ["ada@example.com", "user"],
      ["max@example.com", "user", "disabled"],
      ["zoe@example.com", "user"],
    ]);
  });
});
