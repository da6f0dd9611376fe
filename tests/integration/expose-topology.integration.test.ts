// `warren expose` across machines (network namespaces), the seed's labs 3
// and 4 from where the person sits: a "laptop" that reaches only Warren's
// web port on the bastion runs a service on its own loopback (lab 3) and can
// reach a server on its "home" network (lab 4); the "gateway" (sshd with
// GatewayPorts clientspecified) publishes both on its public side, where a
// "public" machine fetches them, whole. Nothing but the laptop reaches the
// laptop or its home network.
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

type Machine = "laptop" | "home" | "bastion" | "gateway" | "public";
const MACHINES: Machine[] = ["laptop", "home", "bastion", "gateway", "public"];
const TAG = "we";
const PREFIX = `${TAG}${process.pid}`;
const ns = (machine: Machine) => `${PREFIX}-${machine}`;
const BASTION = "10.79.1.1"; // as the laptop sees it
const GATEWAY = "10.79.2.2"; // as the bastion sees it
const GATEWAY_PUBLIC = "10.79.3.1"; // as the public machine sees it
const HOME_SERVER = "10.79.4.2"; // as the laptop sees it

const children: ChildProcess[] = [];
let sshd: SshdHandle;
let warren: WarrenHandle;
let laptop: LaptopClient;
let alice: ApiClient;
let aliceToken: string;
let hostId: string;
const served: Record<"laptop" | "home", string> = { laptop: "", home: "" };

async function fetchFrom(machine: Machine, host: string, port: number): Promise<FetchOutcome> {
  return JSON.parse(await execIn(ns(machine), harnessScript("fetch-process.ts", ["--host", host, "--port", String(port)]), { cwd: REPO_ROOT })) as FetchOutcome;
}

/** An origin (1 MiB, its sha256 on its first line) in `machine` at `host`:80. */
async function origin(machine: Machine, host: string, seed: number): Promise<string> {
  const child = spawnIn(ns(machine), harnessScript("origin-process.ts", ["--host", host, "--port", "80", "--seed", String(seed)]), { cwd: REPO_ROOT });
  children.push(child);
  return (JSON.parse(await firstLine(child, `the service in ${machine}`)) as { sha256: string }).sha256;
}

async function buildNetwork(): Promise<string> {
  await requireNetns();
  await deleteStaleNetns(TAG, PREFIX);
  for (const machine of MACHINES) await addNetns(ns(machine));
  await addVeth({ netns: ns("laptop"), name: "to-bastion", address: "10.79.1.2/24" }, { netns: ns("bastion"), name: "to-laptop", address: `${BASTION}/24` });
  await addVeth({ netns: ns("bastion"), name: "to-gateway", address: "10.79.2.1/24" }, { netns: ns("gateway"), name: "to-bastion", address: `${GATEWAY}/24` });
  await addVeth(
    { netns: ns("gateway"), name: "to-public", address: `${GATEWAY_PUBLIC}/24` },
    { netns: ns("public"), name: "to-gateway", address: "10.79.3.2/24" },
  );
  await addVeth({ netns: ns("laptop"), name: "to-home", address: "10.79.4.1/24" }, { netns: ns("home"), name: "to-laptop", address: `${HOME_SERVER}/24` });
  return (await cableToRoot(PREFIX, ns("bastion"), "to-tests")).inside; // for the test's own API calls to Warren
}

beforeAll(async () => {
  const apiAddress = await buildNetwork();
  [served.laptop, served.home] = await Promise.all([origin("laptop", "127.0.0.1", 3), origin("home", HOME_SERVER, 4)]);
  [sshd, warren] = await Promise.all([
    startSshd({ netns: ns("gateway"), listenAddress: GATEWAY, port: 22, extraConfig: ["GatewayPorts clientspecified"] }),
    startWarren({ netns: ns("bastion"), host: apiAddress, env: { NODE_ENV: "production", HOST: "0.0.0.0" } }),
  ]);
  ({ alice, aliceToken, hostId } = await aliceWithHost(warren, sshd, {
    name: "gateway",
    address: GATEWAY,
    visibleToAll: true,
    policy: { kinds: ["remote"], publicBinds: true, anySource: true },
  }));
  laptop = await downloadClient(warren.url);
});

afterAll(async () => {
  try {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    laptop?.dispose();
    await Promise.allSettled([warren?.dispose(), sshd?.dispose()]);
  } finally {
    await Promise.all(MACHINES.map((machine) => deleteNetns(ns(machine))));
  }
});

/** A public port on the gateway that leads to Alice's computer, and her expose client there, pointed at `to`. */
async function expose(port: number, to: string): Promise<void> {
  const tunnel = await alice.post<{ id: string }>("/tunnels", {
    kind: "remote",
    hostId,
    listen: { address: "0.0.0.0", port },
    target: { client: true },
    allowedSources: [],
  });
  expect(tunnel.status, JSON.stringify(tunnel.body)).toBe(201);
  const script = path.join(path.dirname(laptop.home), "warren.mjs");
  const client = spawnIn(
    ns("laptop"),
    [process.execPath, script, "expose", tunnel.body.id, "--to", to, "--url", `http://${BASTION}:${warren.port}`, "--token", aliceToken],
    {
      cwd: path.dirname(laptop.home),
    },
  );
  children.push(client);
  expect(await firstLine(client, "expose")).toMatch(
    new RegExp(`^attached: connections to 0\\.0\\.0\\.0:${port} on gateway reach ${to.replaceAll(".", "\\.")}`),
  );
}

describe("a laptop that reaches only Warren's web port", () => {
  it("is reached by nobody else: neither the public side nor the bastion reach it or its home network", async () => {
    expect(await fetchFrom("public", "10.79.1.2", 80)).toEqual({ error: "ENETUNREACH" });
    expect(await fetchFrom("public", HOME_SERVER, 80)).toEqual({ error: "ENETUNREACH" });
    expect(await fetchFrom("bastion", HOME_SERVER, 80)).toEqual({ error: "ENETUNREACH" });
  });

  it("lab 3: publishes a service on its own loopback on the gateway's public side, every byte", async () => {
    await expose(8080, "127.0.0.1:80");
    const fetched = await waitFor(
      () => fetchFrom("public", GATEWAY_PUBLIC, 8080),
      (outcome) => "sha256" in outcome,
      20_000,
      "the laptop's service from the public side",
    );
    expect(fetched).toEqual({ bytes: 1024 * 1024, sha256: served.laptop });
  });

  it("lab 4: publishes a server on its home network the same way", async () => {
    await expose(8081, `${HOME_SERVER}:80`);
    const fetched = await waitFor(
      () => fetchFrom("public", GATEWAY_PUBLIC, 8081),
      (outcome) => "sha256" in outcome,
      20_000,
      "the home server from the public side",
    );
    expect(fetched).toEqual({ bytes: 1024 * 1024, sha256: served.home });
  });
});
