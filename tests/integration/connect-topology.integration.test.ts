// `warren connect` across machines (network namespaces): a "laptop" that
// reaches only the bastion's web port (no route to the server, nothing of the
// tunnel listening where it can reach) gets the server's service, whole,
// through the client Warren serves.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "@/tests/harness/api-client";
import type { FetchOutcome } from "@/tests/harness/fetch-process";
import { waitFor } from "@/tests/harness/free-port";
import { downloadClient, type LaptopClient } from "@/tests/harness/laptop-client";
import { addNetns, addVeth, cableToRoot, deleteNetns, deleteStaleNetns, execIn, firstLine, harnessScript, requireNetns, spawnIn } from "@/tests/harness/netns";
import { aliceWithHost } from "@/tests/harness/alice-with-host";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { REPO_ROOT, startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Machine = "laptop" | "bastion" | "server";
const MACHINES: Machine[] = ["laptop", "bastion", "server"];
const TAG = "wc";
const PREFIX = `${TAG}${process.pid}`;
const ns = (machine: Machine) => `${PREFIX}-${machine}`;
const BASTION = "10.78.1.1"; // the bastion as the laptop sees it
const SERVER = "10.78.2.2"; // as the bastion sees it
const SERVICE_PORT = 80; // on the server's own loopback

const children: ChildProcess[] = [];
let sshd: SshdHandle;
let warren: WarrenHandle;
let laptop: LaptopClient;
let alice: ApiClient;
let aliceToken: string;
let serviceSha: string;

async function fetchFrom(machine: Machine, host: string, port: number): Promise<FetchOutcome> {
  return JSON.parse(await execIn(ns(machine), harnessScript("fetch-process.ts", ["--host", host, "--port", String(port)]), { cwd: REPO_ROOT })) as FetchOutcome;
}

async function buildNetwork(): Promise<string> {
  await requireNetns();
  await deleteStaleNetns(TAG, PREFIX);
  for (const machine of MACHINES) await addNetns(ns(machine));
  await addVeth({ netns: ns("laptop"), name: "to-bastion", address: "10.78.1.2/24" }, { netns: ns("bastion"), name: "to-laptop", address: `${BASTION}/24` });
  await addVeth({ netns: ns("bastion"), name: "to-server", address: "10.78.2.1/24" }, { netns: ns("server"), name: "to-bastion", address: `${SERVER}/24` });
  // For the test's own API calls to Warren.
  return (await cableToRoot(PREFIX, ns("bastion"), "to-tests")).inside;
}

beforeAll(async () => {
  const apiAddress = await buildNetwork();
  const origin = spawnIn(ns("server"), harnessScript("origin-process.ts", ["--host", "127.0.0.1", "--port", String(SERVICE_PORT), "--seed", "7"]), {
    cwd: REPO_ROOT,
  });
  children.push(origin);
  [sshd, warren] = await Promise.all([
    startSshd({ netns: ns("server"), listenAddress: SERVER, port: 22 }),
    startWarren({ netns: ns("bastion"), host: apiAddress, env: { NODE_ENV: "production", HOST: "0.0.0.0" } }),
  ]);
  serviceSha = (JSON.parse(await firstLine(origin, "the server's service")) as { sha256: string }).sha256;
  let hostId: string;
  ({ alice, aliceToken, hostId } = await aliceWithHost(warren, sshd, { name: "server", address: SERVER }));
  const tunnel = await alice.post<{ id: string; listen: { port: number } }>("/tunnels", {
    kind: "local",
    hostId,
    listen: { port: 28080 }, // on the bastion's loopback
    target: { host: "localhost", port: SERVICE_PORT },
  });
  expect(tunnel.status, JSON.stringify(tunnel.body)).toBe(201);
  tunnelId = tunnel.body.id;
  laptop = await downloadClient(warren.url);
});

let tunnelId: string;

afterAll(async () => {
  try {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    laptop?.dispose();
    await Promise.allSettled([warren?.dispose(), sshd?.dispose()]);
  } finally {
    await Promise.all(MACHINES.map((machine) => deleteNetns(ns(machine))));
  }
});

describe("a laptop that reaches only Warren's web port", () => {
  it("cannot reach the service or the tunnel's bastion port itself", async () => {
    expect(await fetchFrom("laptop", SERVER, SERVICE_PORT)).toEqual({ error: "ENETUNREACH" });
    expect(await fetchFrom("laptop", BASTION, 28080)).toEqual({ error: "ECONNREFUSED" });
  });

  it("reaches it through warren connect, every byte", async () => {
    const script = path.join(path.dirname(laptop.home), "warren.mjs");
    const client = spawnIn(
      ns("laptop"),
      [process.execPath, script, "connect", tunnelId, "--url", `http://${BASTION}:${warren.port}`, "--token", aliceToken, "--port", "15432"],
      {
        cwd: path.dirname(laptop.home),
      },
    );
    children.push(client);
    expect(await firstLine(client, "connect")).toMatch(/^listening on 127\.0\.0\.1:15432: localhost:80 through server/);
    const fetched = await waitFor(
      () => fetchFrom("laptop", "127.0.0.1", 15432),
      (outcome) => "sha256" in outcome,
      20_000,
      "the service through connect",
    );
    expect(fetched).toEqual({ bytes: 1024 * 1024, sha256: serviceSha });
  });
});
