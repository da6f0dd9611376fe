// Two Warren nodes on one PostgreSQL, on two machines: network namespaces
// "bastion-a" and "bastion-b" on one LAN (a bridge) with the SSH server and
// the people. A Chromium page on node A watches a tunnel opened through node
// B go active, carry data and close, live. Node B is killed: node A takes its
// tunnel over, and it carries again from A's address while the page follows.
// Node B comes back, and PostgreSQL restarts under both while connections
// keep coming: every one is recorded, and the audit chain verifies.
import { randomBytes } from "node:crypto";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { aliceWithHost } from "../harness/alice-with-host";
import { apiClient, type ApiClient } from "../harness/api-client";
import { exchange } from "../harness/exchange";
import { waitFor } from "../harness/free-port";
import { addBridge, addNetns, cableToBridge, deleteLink, deleteNetns, deleteStaleBridges, deleteStaleNetns, freeLan, requireNetns } from "../harness/netns";
import { sharedSecretsFor, startPostgresql, type PostgresqlHandle } from "../harness/postgresql";
import { startSshd, type SshdHandle } from "../harness/sshd";
import { startTarget, type Tracker } from "../harness/tcp-target";
import { startWarren, type WarrenHandle } from "../harness/warren";
import { signIn } from "./fixtures";

type Node = "a" | "b";
type Tunnel = { id: string; status: string; node: string | null; listen: { address: string; port: number } };

const TAG = "wn";
const PREFIX = `${TAG}${process.pid}`;
const ns = (node: Node) => `${PREFIX}-bastion-${node}`;
const BRIDGE = `${PREFIX}-lan`;
const PASSWORD = "correct horse battery";

let lan: string;
const addressOf = (node: Node) => `${lan}.${node === "a" ? 2 : 3}`;

let postgresql: PostgresqlHandle;
let databaseUrl: string;
let sshd: SshdHandle;
let target: Tracker;
const nodes = {} as Record<Node, WarrenHandle>;
let aliceToken: string;
let hostId: string;

/** Node `node` on its machine: listeners and HTTP on its LAN address. */
function startNode(node: Node, old?: WarrenHandle): Promise<WarrenHandle> {
  return startWarren({
    netns: ns(node),
    host: addressOf(node),
    dataDir: old?.dataDir,
    port: old?.port,
    env: { DATABASE_URL: databaseUrl, ...sharedSecretsFor(databaseUrl), WARREN_NODE_NAME: `bastion-${node}`, WARREN_LISTEN_ADDRESSES: addressOf(node) },
  });
}

test.describe.configure({ mode: "serial", timeout: 300_000 });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await requireNetns();
  await Promise.all([deleteStaleNetns(TAG, PREFIX), deleteStaleBridges(TAG)]);
  lan = await freeLan();
  await addBridge(BRIDGE, `${lan}.1/24`);
  for (const node of ["a", "b"] as const) {
    await addNetns(ns(node));
    await cableToBridge(BRIDGE, `${PREFIX}${node}`, ns(node), `${addressOf(node)}/24`);
  }
  [postgresql, sshd, target] = await Promise.all([startPostgresql(), startSshd({ listenAddress: `${lan}.1` }), startTarget()]);
  databaseUrl = await postgresql.database("warren");
  nodes.a = await startNode("a");
  nodes.b = await startNode("b");
  ({ aliceToken, hostId } = await aliceWithHost(nodes.a, sshd, { name: "lab", address: `${lan}.1`, policy: { publicBinds: true } }));
});

test.afterAll(async () => {
  try {
    await Promise.allSettled([nodes.a?.dispose(), nodes.b?.dispose(), sshd?.dispose(), target?.close()]);
    await postgresql?.dispose();
  } finally {
    await Promise.all([deleteNetns(ns("a")), deleteNetns(ns("b"))]);
    await deleteLink(BRIDGE);
  }
});

const alice = (node: Node): ApiClient => apiClient(nodes[node].url, aliceToken);

/** Bytes through a tunnel's listener from the people's side of the LAN: whether they all came back. */
async function carries(address: string, port: number, size = 64 * 1024): Promise<boolean> {
  const sent = randomBytes(size);
  const { received } = await exchange(port, sent, address);
  return received.equals(sent);
}

/** Alice asks node `through` for a tunnel listening on node B's address. */
async function request(through: Node): Promise<Tunnel> {
  const port = 20_000 + Math.floor(Math.random() * 9_000);
  const opened = await alice(through).post<Tunnel>("/tunnels", {
    hostId,
    kind: "local",
    listen: { address: addressOf("b"), port },
    target: { host: "127.0.0.1", port: target.port },
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  return opened.body;
}

async function openThroughB(): Promise<Tunnel> {
  const opened = await request("b");
  expect(opened).toMatchObject({ status: "active", node: "bastion-b", listen: { address: addressOf("b") } });
  return opened;
}

let context: BrowserContext;
let page: Page;

test("a page on node A follows a tunnel opened through node B, live, from active to closed", async ({ browser }) => {
  context = await browser.newContext({ baseURL: nodes.a.url });
  page = await context.newPage();
  await signIn(page, "alice@example.com", PASSWORD);
  await expect(page).toHaveURL(/\/tunnels$/);

  const tunnel = await openThroughB();
  await page.goto(`/tunnels/${tunnel.id}`);
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  await expect(page.getByTestId("tunnel-node")).toHaveText("bastion-b");
  expect(await carries(addressOf("b"), tunnel.listen.port, 1024 * 1024)).toBe(true);
  await expect(page.getByTestId("bytes-in")).toHaveText("1.0 MiB", { timeout: 20_000 });

  await page.goto("/tunnels");
  await expect(page.getByTestId("tunnel-row").getByTestId("tunnel-node")).toHaveText(", on node bastion-b");
  await page.goto(`/tunnels/${tunnel.id}`);

  expect((await alice("b").delete(`/tunnels/${tunnel.id}`)).status).toBe(200);
  await expect(page.getByTestId("status-badge").first()).toHaveText("closed", { timeout: 20_000 });
  expect(await carries(addressOf("b"), tunnel.listen.port).catch(() => false)).toBe(false);
});

test("an admin pins the host to node B on the Hosts page: a tunnel requested through node A opens on node B", async ({ browser }) => {
  const adminContext = await browser.newContext({ baseURL: nodes.a.url });
  const admin = await adminContext.newPage();
  await signIn(admin, "admin@example.com", PASSWORD);
  await expect(admin).toHaveURL(/\/tunnels$/);
  await admin.goto("/hosts");
  const edit = admin.getByRole("button", { name: "Edit lab", exact: true });
  const drawer = admin.getByRole("dialog", { name: "Edit lab" });
  await edit.click();
  await drawer.getByText("Carried by").click();
  const form = drawer.getByRole("form", { name: "Nodes that carry lab's tunnels" });
  await form.getByRole("checkbox", { name: "bastion-b" }).check();
  await form.getByRole("button", { name: "Save nodes" }).click();
  await expect(form.getByRole("status")).toHaveText("lab's tunnels are now carried by bastion-b.");
  await expect(drawer.getByTestId("nodes-summary")).toHaveText("bastion-b");

  // Listening where node B may bind, which node A itself may not.
  const opened = await request("a");
  await page.goto(`/tunnels/${opened.id}`);
  await expect(page.getByTestId("status-badge").first()).toHaveText("active", { timeout: 20_000 });
  await expect(page.getByTestId("tunnel-node")).toHaveText("bastion-b");
  // Node A's table: the tunnel counted, its SSH link held by node B.
  await admin.reload();
  const row = admin.getByTestId("host-row").filter({ hasText: "lab" });
  await expect(row.getByTestId("open-tunnels")).toHaveText("1");
  await expect(row.getByTestId("host-link")).toHaveText("SSH link on node bastion-b");
  await edit.click();
  await expect(drawer.getByTestId("nodes-summary")).toHaveText("bastion-b · open tunnels on bastion-b (1)");

  expect((await alice("a").delete(`/tunnels/${opened.id}`)).status).toBe(200);
  await drawer.getByText("Carried by").click();
  await form.getByRole("radio", { name: "Any node" }).check();
  await form.getByRole("button", { name: "Save nodes" }).click();
  await expect(drawer.getByTestId("nodes-summary")).toHaveText("any node");
  await adminContext.close();
});

test("node B killed: node A takes its tunnel over, carries it from A's address, and the page follows", async () => {
  const tunnel = await openThroughB();
  await page.goto(`/tunnels/${tunnel.id}`);
  await expect(page.getByTestId("tunnel-node")).toHaveText("bastion-b");

  await nodes.b.kill();
  await expect(page.getByTestId("tunnel-node")).toHaveText("bastion-a", { timeout: 90_000 });
  await expect(page.getByTestId("status-badge").first()).toHaveText("active", { timeout: 30_000 });
  const moved = (await alice("a").get<Tunnel>(`/tunnels/${tunnel.id}`)).body;
  expect(moved.listen).toEqual({ address: addressOf("a"), port: tunnel.listen.port });
  expect(await carries(addressOf("a"), tunnel.listen.port)).toBe(true);
  movedTunnel = moved;
});

let movedTunnel: Tunnel;

test("PostgreSQL restarts under both nodes while connections keep coming: every one is recorded, and the chain verifies", async () => {
  nodes.b = await startNode("b", nodes.b);
  const { port } = movedTunnel.listen;
  let made = 0;
  let carried = 0;
  let running = true;
  const load = (async () => {
    while (running) {
      made++;
      if (await carries(addressOf("a"), port)) carried++;
    }
  })();
  try {
    await waitFor(
      async () => carried,
      (count) => count >= 5,
      30_000,
      "connections before the restart",
    );
    await postgresql.stop();
    const before = carried;
    await waitFor(
      async () => carried,
      (count) => count >= before + 5,
      30_000,
      "connections while PostgreSQL is down",
    );
    // Node B answers, but without its database: a clear 503.
    expect((await alice("b").get("/tunnels")).status).toBe(503);
    await postgresql.start();
    for (const node of ["a", "b"] as const) {
      await waitFor(
        () => fetch(`${nodes[node].url}/api/v1/health`).then((r) => r.status),
        (status) => status === 200,
        60_000,
        `node ${node} healthy`,
      );
    }
  } finally {
    running = false;
    await load;
  }
  expect(carried).toBe(made);

  const admin = apiClient(nodes.b.url, await nodes.b.createToken("admin@example.com"));
  /** The tunnel's connections the audit tells of, every page: one by one, or counted in a storm's summaries. */
  const recorded = async () => {
    let count = 0;
    for (const action of ["connection.closed", "connection.closed_many"]) {
      let cursor: number | null = null;
      do {
        const page: { body: { events: { details: { count?: number } }[]; nextCursor: number | null } } = await admin.get(
          `/audit?tunnelId=${movedTunnel.id}&action=${action}&limit=200${cursor ? `&cursor=${cursor}` : ""}`,
        );
        for (const event of page.body.events) count += action === "connection.closed" ? 1 : (event.details.count ?? 0);
        cursor = page.body.nextCursor;
      } while (cursor);
    }
    return count;
  };
  // And the one made after the take-over.
  await waitFor(recorded, (count) => count === made + 1, 60_000, `all ${made + 1} connections recorded`);
  // The page on node A still follows its tunnel.
  await expect(page.getByTestId("status-badge").first()).toHaveText("active");
  for (const node of ["a", "b"] as const) {
    const verify = await nodes[node].cli(["audit", "verify"]);
    expect(verify.code, verify.stderr).toBe(0);
  }
  await context.close();
});
