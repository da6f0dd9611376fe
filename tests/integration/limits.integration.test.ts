// Port squatting: how many tunnels and requests one user may hold (per host,
// in the host's policy, and across hosts, a setting), pending requests that
// hold no port, and the lists that page instead of stopping at a fixed count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { freePortInRange } from "@/tests/harness/free-port";
import { startSshd, type SshdHandle, hostInput } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; status: string; statusReason: string | null };
type Host = { id: string; policy: Record<string, unknown> };
type Page<K extends string> = { [key in K]: Tunnel[] } & { nextCursor: string | null };

let sshd: SshdHandle;
let warren: WarrenHandle;
let admin: ApiClient;
let alice: ApiClient;
let bob: ApiClient;
const hosts = { approval: "", plain: "", spare: "" };
const password = "correct horse battery";
const GLOBAL_CEILING = 5;

async function addHost(name: string, policy: object): Promise<string> {
  const created = await admin.post<Host>("/hosts", {
    name,
    ...hostInput(sshd),
    policy,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

const request = async (client: ApiClient, hostId: string, port?: number) =>
  client.post<Tunnel & ApiErrorBody>("/tunnels", { hostId, kind: "dynamic", reason: "on call", listen: { port: port ?? (await freePortInRange()) } });

async function closeAll(client: ApiClient) {
  const { tunnels } = (await client.get<Page<"tunnels">>("/tunnels?limit=200")).body;
  for (const tunnel of tunnels) await client.delete(`/tunnels/${tunnel.id}`);
}

/** Every item of a paged list, following nextCursor; also answers how many pages it took. */
async function allPages<K extends "tunnels" | "requests">(client: ApiClient, path: string, key: K, limit: number) {
  const items: Tunnel[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const response: { status: number; body: Page<K> } = await client.get<Page<K>>(
      `${path}${path.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(response.status).toBe(200);
    expect(response.body[key].length).toBeLessThanOrEqual(limit);
    items.push(...response.body[key]);
    cursor = response.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { ids: items.map((item) => item.id), pages };
}

beforeAll(async () => {
  sshd = await startSshd();
  warren = await startWarren({ env: { NODE_ENV: "production", WARREN_MAX_TUNNELS_PER_USER: String(GLOBAL_CEILING) } });
  for (const who of ["admin", "alice", "bob"]) await warren.createUser({ email: `${who}@example.com`, password, admin: who === "admin" });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  bob = apiClient(warren.url, await warren.createToken("bob@example.com"));
  hosts.approval = await addHost("payments-db", { approval: true, maxPendingPerUser: 3 });
  hosts.plain = await addHost("db-1", { maxOpenPerUser: 2 });
  hosts.spare = await addHost("db-2", {});
});

afterAll(async () => {
  await warren?.dispose();
  await sshd?.dispose();
});

describe("a host's per-user limits", () => {
  it("are part of its policy, with defaults, and refuse bad values naming the field", async () => {
    const spare = (await admin.get<Host>(`/hosts/${hosts.spare}`)).body;
    expect(spare.policy).toMatchObject({ maxOpenPerUser: 10, maxPendingPerUser: 5 });
    for (const [field, value] of [
      ["maxOpenPerUser", 0],
      ["maxPendingPerUser", 1.5],
      ["maxOpenPerUser", 1001],
    ] as const) {
      const bad = await admin.patch<ApiErrorBody>(`/hosts/${hosts.spare}`, { policy: { [field]: value } });
      expect(bad.status).toBe(422);
      expect(bad.body.error.field).toBe(`policy.${field}`);
    }
    const changed = await admin.patch<Host>(`/hosts/${hosts.spare}`, { policy: { maxOpenPerUser: 7 } });
    expect(changed.body.policy).toMatchObject({ maxOpenPerUser: 7, maxPendingPerUser: 5 });
  });

  it("refuse a request beyond the pending limit, and an open tunnel beyond the open limit", async () => {
    for (let n = 0; n < 3; n++) expect((await request(alice, hosts.approval)).body.status).toBe("pending_approval");
    const fourth = await request(alice, hosts.approval);
    expect(fourth.status).toBe(403);
    expect(fourth.body.error).toMatchObject({ field: "hostId", message: expect.stringContaining("3 requests waiting for approval on payments-db") });
    // Another user's requests are counted on their own.
    expect((await request(bob, hosts.approval)).body.status).toBe("pending_approval");
    await closeAll(alice);
    await closeAll(bob);

    for (let n = 0; n < 2; n++) expect((await request(alice, hosts.plain)).body.status).toBe("active");
    const third = await request(alice, hosts.plain);
    expect(third.status).toBe(403);
    expect(third.body.error).toMatchObject({ field: "hostId", message: expect.stringContaining("2 open tunnels on db-1") });
    await closeAll(alice);
  });

  it("hold when many requests arrive at once", async () => {
    const ports = await Promise.all(Array.from({ length: 8 }, (_, n) => freePortInRange(20000 + n * 1000, 20999 + n * 1000)));
    const answers = await Promise.all(ports.map((port) => request(alice, hosts.approval, port)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 201, 403, 403, 403, 403, 403]);
    await closeAll(alice);
  });

  it("are capped across hosts by the per-user ceiling", async () => {
    for (let n = 0; n < 3; n++) expect((await request(alice, hosts.approval)).status).toBe(201);
    for (let n = 0; n < 2; n++) expect((await request(alice, hosts.spare)).status).toBe(201);
    const beyond = await request(alice, hosts.plain);
    expect(beyond.status).toBe(403);
    expect(beyond.body.error.message).toContain(`${GLOBAL_CEILING} open tunnels and requests`);
    expect(beyond.body.error.message).toContain("WARREN_MAX_TUNNELS_PER_USER");
    await closeAll(alice);
  });
});

describe("a request waiting for approval", () => {
  it("holds no port: the port is checked when it is approved", async () => {
    const port = await freePortInRange();
    const waiting = await request(bob, hosts.approval, port);
    expect(waiting.body.status).toBe("pending_approval");
    const taken = await request(alice, hosts.plain, port);
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    expect(taken.body.status).toBe("active");
    const approve = await admin.post<ApiErrorBody>(`/tunnels/${waiting.body.id}/approve`);
    expect(approve.status).toBe(409);
    expect(approve.body.error).toMatchObject({ field: "listen.port", message: expect.stringContaining(`port ${port} is already in use`) });
    expect((await bob.get<Tunnel>(`/tunnels/${waiting.body.id}`)).body.status).toBe("pending_approval");
    await closeAll(alice);
    await closeAll(bob);
  });
});

describe("the lists", () => {
  it("page with a cursor instead of stopping at a fixed count", async () => {
    const users = [alice, bob];
    const requested: string[] = [];
    for (const client of users) for (let n = 0; n < 3; n++) requested.push((await request(client, hosts.approval)).body.id);
    const approvals = await allPages(admin, "/approvals", "requests", 2);
    expect(approvals.pages).toBe(3);
    expect(approvals.ids).toEqual(requested); // oldest first, none twice
    const tunnels = await allPages(admin, "/tunnels", "tunnels", 4);
    expect(tunnels.pages).toBe(2);
    expect(tunnels.ids).toEqual([...requested].reverse()); // newest first
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["cursor=nope", "cursor"],
    ] as const) {
      const bad = await admin.get<ApiErrorBody>(`/approvals?${query}`);
      expect(bad.status).toBe(422);
      expect(bad.body.error.field).toBe(field);
    }
    await closeAll(alice);
    await closeAll(bob);
  });
});
