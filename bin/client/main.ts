// The entry of the bundle Warren serves at /cli/warren.mjs.
import { runClient } from "./run-client";

process.umask(0o077); // the credentials it writes are for this user only
process.exitCode = await runClient(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
