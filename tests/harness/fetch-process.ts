// fetchAll (or socksFetch) as its own process, for a network namespace the
// test process cannot enter: `ip netns exec <ns> node --import tsx
// tests/harness/fetch-process.ts --host 10.77.1.1 --port 80 [--socks 10.77.1.1:1080]`.
// Prints one JSON FetchOutcome line; a network error is an outcome, not a failure.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { fetchAll } from "./origin.ts";
import { socksFetch } from "./socks-fetch.ts";

export type FetchOutcome = { bytes: number; sha256: string } | { error: string };

const { values } = parseArgs({
  options: {
    host: { type: "string" },
    port: { type: "string" },
    socks: { type: "string" },
    "timeout-ms": { type: "string", default: "10000" },
  },
});
if (values.host === undefined || values.port === undefined) throw new Error("usage: fetch-process.ts --host H --port P [--socks H:P]");
const { host } = values;
const port = Number(values.port);

async function fetchBody(): Promise<Buffer> {
  if (values.socks === undefined) return fetchAll(host, port);
  const [proxyHost = "", proxyPort = ""] = values.socks.split(":");
  const { reply, body } = await socksFetch(Number(proxyPort), host, port, proxyHost);
  if (reply !== 0) throw Object.assign(new Error(`SOCKS reply ${reply}`), { code: `SOCKS_REPLY_${reply}` });
  return body;
}

// A dropped packet would hang a connect for minutes; say so instead.
const timeout = setTimeout(() => report({ error: "ETIMEDOUT" }), Number(values["timeout-ms"]));

function report(outcome: FetchOutcome): void {
  clearTimeout(timeout);
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
}

fetchBody().then(
  (body) => report({ bytes: body.length, sha256: createHash("sha256").update(body).digest("hex") }),
  (error: NodeJS.ErrnoException) => report({ error: error.code ?? error.message }),
);
