import { runCli } from "@/bin/cli/run-cli";

// Files Warren creates (database, secrets) are for its owner only.
process.umask(0o077);
process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
