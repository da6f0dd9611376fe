// The `warren` admin CLI, run by the bastion's operator (`npm run warren --`).
// Commands act as the system actor: whoever has a shell on the bastion
// already owns Warren's data directory.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { toApiError } from "@/lib/api/handle-api-error";
import { chainBrokenMessage, verifyAuditChain } from "@/lib/audit/audit-log";
import { createApiToken, listApiTokens, revokeApiToken } from "@/lib/auth/api-tokens";
import { ConfigError, dataLocation, GENERATED_SECRET_FILES, getConfig, type PostgresqlConfig, postgresqlDatabase, secretKeySchema } from "@/lib/config";
import { systemCtx } from "@/lib/context";
import { rotateSecretKey, SecretRotationError } from "@/lib/crypto/rotate-secret-key";
import { BackupError, restoreBackup, writeBackup } from "@/lib/db/backup-archive";
import { copyDatabase, DatabaseCopyError } from "@/lib/db/copy-database";
import { MigrationError, migrate } from "@/lib/db/migrate";
import { disconnectPrisma, getPrisma } from "@/lib/db/prisma";
import { addMember, createTeam, findTeamByName, listTeams } from "@/lib/teams/teams";
import { createUser, disableUser, enableUser, findUserByEmail, listUsers, resetPassword } from "@/lib/users";
import { createApiTokenSchema } from "@/lib/validation/api-tokens";
import { addMemberSchema, createTeamSchema } from "@/lib/validation/teams";
import { createUserSchema, emailSchema, passwordResetSchema } from "@/lib/validation/users";

/** `stdin`: all of standard input, read when a command asks (`--password-stdin`). */
export type CliIo = { out: (line: string) => void; err: (line: string) => void; stdin: () => Promise<string> };

class UsageError extends Error {}

const USAGE = `usage: npm run warren -- <command>

  user create --email E [--password-stdin] [--name N] [--admin]
                                        without a password, prints a one-time link that sets one
  user disable --email E
  user enable --email E                 lets a disabled user sign in again
  user set-password --email E --password-stdin
                                        sets a new password (their browser sessions end)

  --password-stdin reads the password from the first line of standard input;
  --password P works too, but leaves it in your shell history and in ps.
  user list
  token create --email E [--name N] [--scope read|tunnels|admin] [--days D]
                                        prints the token once; scope admin and 90 days unless told
  token list --email E
  token revoke --id ID
  team create --name N [--owner E]      a team, with its first owner
  team add --team N --email E [--owner] adds a member (an owner with --owner)
  team list
  audit verify                          checks the audit chain; exits 1 naming the first bad record
  db copy --to postgresql://U@H:P/DB    copies every record into a new, empty PostgreSQL database
                                        (stop Warren first; then start it on that DATABASE_URL)
  backup FILE                           the SQLite database and the data directory's secrets and
                                        audit anchor, in one new archive (mode 0600), while Warren runs
  restore FILE                          puts such an archive into a data directory without a database
  rotate-secret --new-key-stdin | --generate
                                        re-encrypts what WARREN_SECRET_KEY protects under a new key
                                        (64 hex digits or base64 on standard input, or a generated one,
                                        printed once) and continues the audit chain under it; stop
                                        Warren on every node first`;

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;
/** `argument`: the name of the one word a command takes after its name (`backup FILE`), which its run finds under that name.
 *  `migrates: false`: the command works on the database files as they are, so pending migrations are not applied first. */
type Command = { options: Options; required: string[]; argument?: string; migrates?: false; run: (values: Values, io: CliIo) => Promise<void> };

const ctx = systemCtx("cli");
const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : "");
const email = (value: string | boolean | undefined) => emailSchema.parse(text(value));

class ChainBroken extends Error {}

const passwordOptions = { password: { type: "string" }, "password-stdin": { type: "boolean" } } as const;

/** `--to`, checked as DATABASE_URL is; a PostgreSQL URL only. */
function postgresqlTarget(url: string): PostgresqlConfig {
  try {
    return postgresqlDatabase("--to", url.trim());
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** Where this Warren's keys are, when they were generated into its data directory rather than given. */
function secretsFrom(dataDir: string): string {
  const generated = Object.entries(GENERATED_SECRET_FILES).filter(([setting]) => !process.env[setting]);
  return generated.length ? ` (${generated.map(([setting, file]) => `${setting} is in ${path.join(dataDir, file)}`).join(", ")})` : "";
}

/** The generated secrets an archive does not hold; `given`: the environment sets it (then backup leaves its file out). */
function secretsNotIn(archived: string[]) {
  return Object.entries(GENERATED_SECRET_FILES)
    .filter(([, name]) => !archived.includes(name))
    .map(([setting, name]) => ({ setting, name, given: Boolean(process.env[setting]) }));
}

/** The new WARREN_SECRET_KEY: the first line of standard input, checked as the setting is, or a generated one. */
async function newSecretKey(values: Values, io: CliIo): Promise<Buffer> {
  if (values.generate === values["new-key-stdin"]) throw new UsageError("rotate-secret: give --new-key-stdin or --generate (one of them)");
  if (values.generate) return randomBytes(32);
  const parsed = secretKeySchema.safeParse(((await io.stdin()).split(/\r?\n/)[0] ?? "").trim());
  if (!parsed.success) throw new UsageError(`rotate-secret: --new-key-stdin: ${parsed.error.issues[0]?.message ?? "is malformed"}`);
  return parsed.data;
}

/** The URL to give Warren as DATABASE_URL, without the password that --to may hold. */
function withoutPassword(url: string): { url: string; hadPassword: boolean } {
  const parsed = new URL(url);
  const hadPassword = parsed.password !== "";
  parsed.password = "";
  return { url: parsed.toString(), hadPassword };
}

/** The password from standard input, or from --password with a warning; undefined if neither is given. */
async function passwordFrom(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<string | undefined> {
  if (values["password-stdin"]) {
    if (values.password !== undefined) throw new UsageError("give --password-stdin or --password, not both");
    return (await io.stdin()).split(/\r?\n/)[0] ?? "";
  }
  if (typeof values.password !== "string") return undefined;
  io.err("warren: warning: --password leaves the password in your shell history and in ps; use --password-stdin");
  return values.password;
}

const commands: Record<string, Command> = {
  "user create": {
    options: { email: { type: "string" }, ...passwordOptions, name: { type: "string" }, admin: { type: "boolean" } },
    required: ["email"],
    async run(values, io) {
      const user = await createUser({
        ctx,
        input: createUserSchema.parse({
          email: text(values.email),
          password: await passwordFrom(values, io),
          name: text(values.name) || undefined,
          role: values.admin ? "admin" : "user",
        }),
      });
      io.out(`created ${user.role} ${user.email} (${user.id})`);
      if (user.setPasswordLink) {
        io.out(`they set their password at this one-time link, until ${user.setPasswordLink.expiresAt}: ${user.setPasswordLink.url}`);
      }
    },
  },
  "user disable": {
    options: { email: { type: "string" } },
    required: ["email"],
    async run(values, io) {
      const user = await disableUser({ ctx, input: { email: email(values.email) } });
      io.out(`disabled ${user.email}: sessions ended, API tokens refused`);
    },
  },
  "user enable": {
    options: { email: { type: "string" } },
    required: ["email"],
    async run(values, io) {
      const user = await enableUser({ ctx, input: { email: email(values.email) } });
      io.out(`enabled ${user.email}: they may sign in again, and their API tokens work again`);
    },
  },
  "user set-password": {
    options: { email: { type: "string" }, ...passwordOptions },
    required: ["email"],
    async run(values, io) {
      const password = await passwordFrom(values, io);
      if (password === undefined) throw new UsageError("user set-password: give --password-stdin (or --password)");
      const input = passwordResetSchema.parse({ email: text(values.email), password });
      const user = await resetPassword({ ctx, input });
      io.out(`set a new password for ${user.email}: their browser sessions ended`);
    },
  },
  "user list": {
    options: {},
    required: [],
    async run(_values, io) {
      for (const user of await listUsers({ ctx })) io.out(`${user.id}  ${user.email}  ${user.role}${user.disabled ? "  disabled" : ""}`);
    },
  },
  "token create": {
    options: { email: { type: "string" }, name: { type: "string" }, scope: { type: "string" }, days: { type: "string" } },
    required: ["email"],
    async run(values, io) {
      const user = await findUserByEmail(email(values.email));
      const optional = (value: string | boolean | undefined) => text(value) || undefined;
      const input = createApiTokenSchema.parse({ name: optional(values.name), scope: optional(values.scope), expiresInDays: optional(values.days) });
      const { token, record } = await createApiToken({ ctx, input: { userId: user.id, ...input } });
      const until = record.expiresAt?.toISOString();
      io.err(`created token "${record.name}" (${record.id}) for ${user.email}, scope ${record.scope}, valid until ${until}; it is shown only this once:`);
      io.out(token);
    },
  },
  "token list": {
    options: { email: { type: "string" } },
    required: ["email"],
    async run(values, io) {
      const user = await findUserByEmail(email(values.email));
      for (const token of await listApiTokens({ ctx, input: { userId: user.id } })) {
        const state = token.revokedAt ? "revoked" : `last used ${token.lastUsedAt?.toISOString() ?? "never"}`;
        const expiry = token.expiresAt ? `expires ${token.expiresAt.toISOString()}` : "never expires";
        io.out(`${token.id}  ${token.prefix}…  ${token.name}  ${state}  ${token.kind}, scope ${token.scope}, ${expiry}`);
      }
    },
  },
  "team create": {
    options: { name: { type: "string" }, owner: { type: "string" } },
    required: ["name"],
    async run(values, io) {
      const team = await createTeam({ ctx, input: createTeamSchema.parse({ name: text(values.name), ownerEmail: text(values.owner) || undefined }) });
      io.out(`created team ${team.name} (${team.id})${team.members[0] ? ` owned by ${team.members[0].email}` : ""}`);
    },
  },
  "team add": {
    options: { team: { type: "string" }, email: { type: "string" }, owner: { type: "boolean" } },
    required: ["team", "email"],
    async run(values, io) {
      const team = await findTeamByName(text(values.team));
      const role = values.owner ? "owner" : "member";
      await addMember({ ctx, input: { teamId: team.id, member: addMemberSchema.parse({ email: text(values.email), role }) } });
      io.out(`added ${text(values.email)} to ${team.name} as ${role}`);
    },
  },
  "team list": {
    options: {},
    required: [],
    async run(_values, io) {
      for (const team of await listTeams({ ctx })) {
        io.out(`${team.id}  ${team.name}  ${team.members.map((m) => `${m.email}${m.role === "owner" ? " (owner)" : ""}`).join(", ")}`);
      }
    },
  },
  "audit verify": {
    options: {},
    required: [],
    async run(_values, io) {
      const result = await verifyAuditChain();
      if (!result.ok) throw new ChainBroken(chainBrokenMessage(result));
      io.out(`audit chain intact: ${result.checked} records verified, up to record ${result.lastSeq}`);
    },
  },
  "db copy": {
    options: { to: { type: "string" } },
    required: ["to"],
    async run(values, io) {
      const to = postgresqlTarget(text(values.to));
      const { database, dataDir } = getConfig();
      await copyDatabase({
        source: getPrisma(),
        from: database,
        to,
        copied: ({ model, rows }) => io.out(`copied ${rows.toLocaleString("en-US")} ${model} rows`),
      });
      const target = withoutPassword(to.url);
      io.out(
        `done: restart Warren with DATABASE_URL=${target.url}${target.hadPassword ? " (with its password, or PGPASSWORD)" : ""} and the same WARREN_DATA_DIR (${dataDir}), whose audit head anchor belongs with this data; set WARREN_SECRET_KEY and AUTH_SECRET, on every node, to the ones this Warren uses${secretsFrom(dataDir)}`,
      );
    },
  },
  backup: {
    options: {},
    required: [],
    argument: "FILE",
    migrates: false,
    async run(values, io) {
      const file = text(values.FILE);
      const names = await writeBackup({ file, location: dataLocation() });
      io.out(`backed up ${names.join(", ")} into ${file} (mode 0600)`);
      for (const { setting, name, given } of secretsNotIn(names)) {
        if (given) io.out(`${setting} comes from the environment, not from ${name} in the data directory: it is not in the archive; keep it separately`);
      }
    },
  },
  restore: {
    options: {},
    required: [],
    argument: "FILE",
    migrates: false,
    async run(values, io) {
      const file = text(values.FILE);
      const location = dataLocation();
      const names = await restoreBackup({ file, location });
      io.out(`restored ${names.join(", ")} from ${file} into ${location.dataDir}; start Warren on it (pending migrations are applied at start)`);
      for (const { setting, name, given } of secretsNotIn(names)) {
        if (!given) io.out(`the archive holds no ${name}: start Warren with the ${setting} it was backed up with`);
      }
    },
  },
  "rotate-secret": {
    options: { "new-key-stdin": { type: "boolean" }, generate: { type: "boolean" } },
    required: [],
    async run(values, io) {
      const newKey = await newSecretKey(values, io);
      // With --generate, standard output is the key alone.
      const say = values.generate ? io.err : io.out;
      const rotation = await rotateSecretKey({
        ctx,
        newKey,
        checked() {
          if (!values.generate) return;
          io.err("warren: the new WARREN_SECRET_KEY, shown this once (keep it: if this command is cut short, Warren needs it):");
          io.out(newKey.toString("hex"));
        },
      });
      say(
        `rotated WARREN_SECRET_KEY: ${rotation.resealed} sealed values re-encrypted; the audit chain continues under the new key from record ${rotation.record.seq} (audit.key_rotated)`,
      );
      say(
        rotation.keyFile
          ? `the new key is in ${rotation.keyFile}; start Warren`
          : "WARREN_SECRET_KEY comes from the environment: set it to the new key on every node, then start Warren",
      );
    },
  },
  "token revoke": {
    options: { id: { type: "string" } },
    required: ["id"],
    async run(values, io) {
      const token = await revokeApiToken({ ctx, input: { id: text(values.id) } });
      io.out(`revoked token "${token.name}" (${token.id})`);
    },
  },
};

/** Older names that still work. */
const ALIASES: Record<string, string> = { "user password": "user set-password" };

/** A command's name is its first two words (`user create`), or its first alone (`backup FILE`, `rotate-secret`). */
function findCommand(argv: string[]): { name: string; command: Command; rest: string[] } {
  const two = argv.slice(0, 2).join(" ");
  const name = ALIASES[two] ?? two;
  if (commands[name]) return { name, command: commands[name], rest: argv.slice(2) };
  const one = argv[0] ?? "";
  if (commands[one]) return { name: one, command: commands[one], rest: argv.slice(1) };
  throw new UsageError(argv.length ? `unknown command '${argv.join(" ")}'` : "no command given");
}

function parseCommand(argv: string[]) {
  const { name, command, rest } = findCommand(argv);
  let values: Values;
  try {
    const parsed = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: command.argument !== undefined });
    // No option is declared `multiple`, so every value is a single string or boolean.
    values = parsed.values as Values;
    if (command.argument) {
      if (parsed.positionals.length !== 1) throw new Error(`takes one ${command.argument}`);
      values[command.argument] = parsed.positionals[0];
    }
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message}`);
  }
  const missing = command.required.filter((option) => !values[option]);
  if (missing.length) throw new UsageError(`${name}: missing ${missing.map((option) => `--${option}`).join(", ")}`);
  return { command, values };
}

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    io.out(USAGE);
    return 0;
  }
  try {
    const { command, values } = parseCommand(argv);
    if (command.migrates !== false) await migrate(getConfig().database);
    await command.run(values, io);
    return 0;
  } catch (error) {
    if (
      error instanceof ChainBroken ||
      error instanceof DatabaseCopyError ||
      error instanceof BackupError ||
      error instanceof MigrationError ||
      error instanceof SecretRotationError
    ) {
      io.err(`warren: ${error.message}`);
      return 1;
    }
    if (error instanceof UsageError) {
      io.err(`warren: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const { message, code } = toApiError(error);
    io.err(`warren: ${code === "internal_server_error" ? (error as Error).message : message}`);
    return 1;
  } finally {
    await disconnectPrisma();
  }
}
