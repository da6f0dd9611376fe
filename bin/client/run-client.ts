// The laptop client: `node warren.mjs <command>` (served by Warren at
// /cli/warren.mjs, one file bundled by scripts/build-client.ts) or
// `npm run warren -- <command>` in the repo. It speaks only to Warren's API.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ClientError, usageError } from "./client-error";
import { expose } from "./expose";
import { connect } from "./connect";
import type { Env } from "./credentials";
import { openCommand } from "./open-tunnel";
import { login, logout } from "./device-login";
import { findTunnel, tunnelLine, type TunnelView } from "./tunnel-ref";
import { callApi, sessionFrom } from "./warren-api";

export type ClientIo = { out: (line: string) => void; err: (line: string) => void; env: Env };

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;
export type ClientCommand = {
  usage: string;
  options: Options;
  /** How many words follow the command (e.g. a tunnel's id). */
  positionals: { min: number; max: number };
  run(values: Values, positionals: string[], io: ClientIo): Promise<void>;
};

/** --url, --token and --ca, which every command that calls Warren takes. */
export const SESSION_OPTIONS: Options = { url: { type: "string" }, token: { type: "string" }, ca: { type: "string" } };
const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);
export const sessionFlags = (values: Values) => ({ url: text(values.url), token: text(values.token), ca: text(values.ca) });

const commands: Record<string, ClientCommand> = {
  login: {
    usage: "login URL [--name DEVICE]                signs this machine in: you approve it in your browser",
    options: { name: { type: "string" }, ca: { type: "string" } },
    positionals: { min: 1, max: 1 },
    run: (values, [url], io) => login({ url: url!, name: text(values.name), ca: text(values.ca) }, io),
  },
  logout: {
    usage: "logout                                   revokes this machine's token and forgets it",
    options: { ca: { type: "string" } },
    positionals: { min: 0, max: 0 },
    run: (values, _positionals, io) => logout({ ca: text(values.ca) }, io),
  },
  tunnels: {
    usage: "tunnels                                  your open tunnels and your teams'",
    options: SESSION_OPTIONS,
    positionals: { min: 0, max: 0 },
    async run(values, _positionals, io) {
      const session = sessionFrom(sessionFlags(values), io.env);
      const { tunnels } = await callApi<{ tunnels: TunnelView[] }>(session, "GET", "tunnels?limit=200");
      if (tunnels.length === 0) io.err("no open tunnels");
      for (const tunnel of tunnels) io.out(tunnelLine(tunnel));
    },
  },
  open: openCommand(SESSION_OPTIONS, (values, env) => sessionFrom(sessionFlags(values), env)),
  connect: {
    usage: "connect TUNNEL [--port N] [--bind ADDR] [--verbose]   carries it to this machine over Warren's HTTPS port",
    options: { ...SESSION_OPTIONS, port: { type: "string" }, bind: { type: "string" }, verbose: { type: "boolean" } },
    positionals: { min: 1, max: 1 },
    async run(values, [ref], io) {
      const session = sessionFrom(sessionFlags(values), io.env);
      await connect(session, ref!, { port: text(values.port), bind: text(values.bind), verbose: values.verbose === true }, io.env, io);
    },
  },
  expose: {
    usage: "expose TUNNEL --to [HOST:]PORT [--verbose]   holds a remote tunnel's far end here: its connections reach HOST:PORT",
    options: { ...SESSION_OPTIONS, to: { type: "string" }, verbose: { type: "boolean" } },
    positionals: { min: 1, max: 1 },
    async run(values, [ref], io) {
      const session = sessionFrom(sessionFlags(values), io.env);
      await expose(session, ref!, { to: text(values.to), verbose: values.verbose === true }, io);
    },
  },
  close: {
    usage: "close TUNNEL                             closes it (a request waiting for approval: withdraws it)",
    options: SESSION_OPTIONS,
    positionals: { min: 1, max: 1 },
    async run(values, [ref], io) {
      const session = sessionFrom(sessionFlags(values), io.env);
      const tunnel = await findTunnel(session, ref!);
      const closed = await callApi<TunnelView>(session, "DELETE", `tunnels/${tunnel.id}`);
      io.out(`${closed.id}: ${closed.status}${closed.statusReason ? ` (${closed.statusReason})` : ""}`);
    },
  },
};

export const CLIENT_COMMANDS = Object.keys(commands);

export const CLIENT_USAGE = `usage: warren <command> [--url URL] [--token TOKEN] [--ca FILE]

${Object.values(commands)
  .map((command) => `  ${command.usage}`)
  .join("\n")}

  login stores Warren's URL and this device's token in ~/.config/warren/credentials.json;
  --url and --token (or WARREN_URL and WARREN_TOKEN) stand in for what it stored;
  --ca (or WARREN_CA) trusts a private certificate authority.`;

function parse(argv: string[]): { command: ClientCommand; values: Values; positionals: string[] } {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) throw usageError(name ? `unknown command '${name}'` : "no command given");
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    throw usageError(`${name}: ${(error as Error).message}`);
  }
  const { min, max } = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) throw usageError(`${name}: usage: warren ${command.usage.split("  ")[0]}`);
  return { command, ...parsed };
}

/** Runs one command; answers the exit code (0 done, 1 refused or failed, 2 bad usage). */
export async function runClient(argv: string[], io: ClientIo): Promise<number> {
  if (argv.length === 0 || ["help", "--help", "-h"].includes(argv[0]!)) {
    io.out(CLIENT_USAGE);
    return 0;
  }
  try {
    const { command, values, positionals } = parse(argv);
    await command.run(values, positionals, io);
    return 0;
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    io.err(`warren: ${error.message}`);
    if (error.exitCode === 2) io.err(CLIENT_USAGE);
    return error.exitCode;
  }
}
