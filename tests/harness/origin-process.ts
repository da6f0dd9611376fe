// startOrigin as its own process, for a network namespace the test process
// cannot enter: `ip netns exec <ns> node --import tsx tests/harness/origin-process.ts
// --host 127.0.0.1 --port 80 --seed 1`. Prints one JSON line {host, port, sha256}
// once listening; exits on SIGTERM or when its parent closes stdin (so a crashed
// test run leaves no origin behind).
import { parseArgs } from "node:util";
import { startOrigin } from "./origin.ts";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    seed: { type: "string" },
    size: { type: "string", default: String(1024 * 1024) },
  },
});

const origin = await startOrigin({
  host: values.host,
  port: Number(values.port),
  size: Number(values.size),
  seed: values.seed === undefined ? undefined : Number(values.seed),
});
process.stdout.write(`${JSON.stringify({ host: origin.host, port: origin.port, sha256: origin.sha256 })}\n`);

const exit = () => void origin.close().then(() => process.exit(0));
process.once("SIGTERM", exit);
process.stdin.once("end", exit).resume();
