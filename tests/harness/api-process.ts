// One /api/v1 call as its own process, for a network namespace the test
// process cannot enter, so Warren sees the caller's address there:
// `ip netns exec <ns> node --import tsx tests/harness/api-process.ts --url U --token T --method POST --path /tunnels/x/join`.
// Prints one JSON line: { status, body }.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { url: { type: "string" }, token: { type: "string" }, method: { type: "string", default: "GET" }, path: { type: "string" } },
});
if (!values.url || !values.token || !values.path) throw new Error("usage: api-process.ts --url U --token T [--method M] --path P");

const response = await fetch(`${values.url}/api/v1${values.path}`, {
  method: values.method,
  headers: { authorization: `Bearer ${values.token}`, "content-type": "application/json" },
  body: values.method === "GET" ? undefined : "{}",
});
process.stdout.write(`${JSON.stringify({ status: response.status, body: await response.json() })}\n`);
