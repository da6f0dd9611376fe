import { text } from "node:stream/consumers";
import { runCli } from "@/bin/cli/run-cli";
import { CLIENT_COMMANDS, runClient } from "@/bin/client/run-client";
import { logToStandardError } from "@/lib/log";

// Files Warren creates (database, secrets, a laptop's credentials) are for their owner only.
process.umask(0o077);
// Standard output carries the commands' answers (a token, a link); log lines go to standard error.
logToStandardError();
const argv = process.argv.slice(2);
const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  stdin: () => text(process.stdin),
};
// The laptop client's commands run from the repo too; the rest are the bastion's admin commands.
process.exitCode = CLIENT_COMMANDS.includes(argv[0] ?? "") ? await runClient(argv, { ...io, env: process.env }) : await runCli(argv, io);
