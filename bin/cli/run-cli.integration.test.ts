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

/** `stdin`: what standard input holds. */
async function cliWith(stdin: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), stdin: async () => stdin });
  return { code, out, err };
}
const cli = (...argv: string[]) => cliWith("", ...argv);

describe("warren user list", () => {
  it("lists users as the domain's listUsers does: by email, with role and disabled", async () => {
    for (const email of ["zoe@example.com", "ada@example.com", "max@example.com"]) {
      expect((await cliWith(`${password}\n`, "user", "create", "--email", email, "--password-stdin")).code).toBe(0);
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

describe("passwords on the command line", () => {
  it("come from standard input; --password works with a warning; without either, a new user gets a one-time link", async () => {
    const fromStdin = await cliWith(`${password}\nignored second line\n`, "user", "create", "--email", "stdin@example.com", "--password-stdin");
    expect(fromStdin).toMatchObject({ code: 0, err: [] });
    const inArgs = await cli("user", "create", "--email", "args@example.com", "--password", password);
    expect(inArgs.code).toBe(0);
    expect(inArgs.err).toEqual(["warren: warning: --password leaves the password in your shell history and in ps; use --password-stdin"]);
    const both = await cliWith(password, "user", "set-password", "--email", "args@example.com", "--password", password, "--password-stdin");
    expect(both.code).toBe(2);
    expect(both.err[0]).toMatch(/^warren: give --password-stdin or --password, not both/);
    const reset = await cliWith(`another long password\n`, "user", "set-password", "--email", "args@example.com", "--password-stdin");
    expect(reset).toMatchObject({ code: 0, out: ["set a new password for args@example.com: their browser sessions ended"] });

    const invited = await cli("user", "create", "--email", "invited@example.com");
    expect(invited.code).toBe(0);
    expect(invited.out[1]).toMatch(/^they set their password at this one-time link, until \S+: http:\/\/127\.0\.0\.1:3000\/set-password#[\w-]{43}$/);
  });
});
