// `npm run bench:failover`: two Warren nodes on one throwaway PostgreSQL
// server, on this machine's loopback. Each round opens a tunnel through node
// B, ends node B, and times how long until the tunnel carries bytes again from
// node A: once with SIGKILL (node A waits for B's lease to run out), once with
// a clean stop (SIGTERM: B ends its leases as it goes). Node B then starts
// again on its old data for the next round. The aim is 30 s at most
// after a node dies. A benchmark, not a test: it prints figures.
import { randomBytes } from "node:crypto";
import { aliceWithHost } from "@/tests/harness/alice-with-host";
import { apiClient } from "@/tests/harness/api-client";
import { exchange } from "@/tests/harness/exchange";
import { freePortInRange } from "@/tests/harness/free-port";
import { type PostgresqlHandle, sharedSecretsFor, startPostgresql } from "@/tests/harness/postgresql";
import { type SshdHandle, startSshd } from "@/tests/harness/sshd";
import { startTarget, type Tracker } from "@/tests/harness/tcp-target";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const ROUNDS = Number(process.env.BENCH_FAILOVER_ROUNDS ?? 3);
const POLL_MS = 100;
const GIVE_UP_MS = 120_000;
const AIM_S = 30;

type Ending = "SIGKILL" | "SIGTERM";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether bytes sent to the tunnel's port come back whole. */
async function carries(port: number): Promise<boolean> {
  const sent = randomBytes(4096);
  const { received } = await exchange(port, sent);
  return received.equals(sent);
}

/** Milliseconds from `started` until the port carries again, polled every POLL_MS. */
async function untilCarrying(port: number, started: number): Promise<number> {
  while (Date.now() - started < GIVE_UP_MS) {
    if (await carries(port)) return Date.now() - started;
    await sleep(POLL_MS);
  }
  throw new Error(`the tunnel on port ${port} did not carry again within ${GIVE_UP_MS / 1000} s`);
}

async function main() {
  let postgresql: PostgresqlHandle | undefined;
  let sshd: SshdHandle | undefined;
  let target: Tracker | undefined;
  const nodes: WarrenHandle[] = [];
  try {
    [postgresql, sshd, target] = await Promise.all([startPostgresql({ durable: true }), startSshd(), startTarget()]);
    const url = await postgresql.database("warren");
    const env = (name: string) => ({ DATABASE_URL: url, ...sharedSecretsFor(url), WARREN_NODE_NAME: name });
    const nodeA = await startWarren({ env: env("bastion-a") });
    let nodeB = await startWarren({ env: env("bastion-b") });
    nodes.push(nodeA, nodeB);
    const { aliceToken, hostId } = await aliceWithHost(nodeA, sshd, { name: "lab", address: "127.0.0.1" });
    const times: Record<Ending, number[]> = { SIGKILL: [], SIGTERM: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const ending of ["SIGKILL", "SIGTERM"] as const) {
        const port = await freePortInRange();
        const opened = await apiClient(nodeB.url, aliceToken).post<{ node: string }>("/tunnels", {
          hostId,
          kind: "local",
          listen: { port },
          target: { host: "127.0.0.1", port: target.port },
        });
        if (opened.status !== 201 || opened.body.node !== "bastion-b") throw new Error(`opening through node B answered ${JSON.stringify(opened.body)}`);
        if (!(await carries(port))) throw new Error("the tunnel did not carry through node B");
        const started = Date.now();
        await (ending === "SIGKILL" ? nodeB.kill() : nodeB.stop());
        const ms = await untilCarrying(port, started);
        times[ending].push(ms);
        console.log(`round ${round}, node B ended by ${ending}: carrying again from node A after ${(ms / 1000).toFixed(1)} s`);
        nodeB = await startWarren({ env: env("bastion-b"), dataDir: nodeB.dataDir, port: nodeB.port });
        nodes.push(nodeB);
      }
    }
    const row = (ending: Ending, what: string) => {
      const sorted = [...times[ending]].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]! / 1000;
      const worst = sorted.at(-1)! / 1000;
      return `| ${what} | ${sorted.length} | ${median.toFixed(1)} s | ${worst.toFixed(1)} s | ${worst <= AIM_S ? "yes" : "no"} |`;
    };
    console.log(`\n| node B ended by | rounds | median until carrying from A | worst | within ${AIM_S} s |`);
    console.log("| --- | --- | --- | --- | --- |");
    console.log(row("SIGKILL", "SIGKILL (dies)"));
    console.log(row("SIGTERM", "SIGTERM (clean stop)"));
  } finally {
    await Promise.allSettled(nodes.map((node) => node.dispose()));
    await Promise.allSettled([sshd?.dispose(), target?.close()]);
    await postgresql?.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
