// Tunnel names, tunnels with no port on the bastion, and the laptop client's
// `open`: a real sshd, a real Warren (restarted once), the served client run
// with Node. "Nothing listens" is checked on Warren's own process with ss.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient, type ApiErrorBody } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { downloadClient, type LaptopClient } from "@/tests/harness/laptop-client";
import { startOrigin, type Origin } from "@/tests/harness/origin";
import { startSshd, type SshdHandle, hostInput } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = {
  id: string;
  name: string | null;
  status: string;
  statusReason: string | null;
  listen: { address: string; port: number } | null;
  sshCommand: string | null;
};

let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
let laptop: LaptopClient;
const as: Record<"admin" | "alice" | "bob", ApiClient> = {} as never;
const tokens: Record<string, string> = {};
let hostId: string;
let approvalHostId: string;
let teamId: string;
const password = "correct horse battery";

/** Waits for a state, generously: the machine is shared. */
const until = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) => waitFor(read, done, 30_000, what);

const tunnel = async (id: string) => (await as.admin.get<Tunnel>(`/tunnels/${id}`)).body;
const active = (id: string) =>
  until(
    () => tunnel(id),
    (t) => t.status === "active",
    `${id} active`,
  );

/** The TCP ports Warren's own process listens on, as the kernel reports them. */
function warrenListeners(): string[] {
  const lines = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" }).split("\n");
  return lines
    .filter((line) => line.includes(`pid=${warren.pid},`))
    .map((line) => line.trim().split(/\s+/)[3]!)
    .sort();
}

const local = (extra: Record<string, unknown> = {}) => ({
  kind: "local",
  hostId,
  reason: "on call",
  target: { host: "127.0.0.1", port: origin.port },
  ...extra,
});

async function startAll(dataDir?: string, port?: number) {
  warren = await startWarren({ dataDir, port, env: { NODE_ENV: "production" } });
}

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin({ size: 1024 })]);
  await startAll();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  for (const user of ["alice", "bob"] as const) await warren.createUser({ email: `${user}@example.com`, password });
  for (const who of ["admin", "alice", "bob"] as const) {
    tokens[who] = await warren.createToken(`${who}@example.com`);
    as[who] = apiClient(warren.url, tokens[who]!);
  }
  teamId = (await as.admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "alice@example.com" })).body.id;
  await as.admin.post(`/teams/${teamId}/members`, { email: "bob@example.com" });
  const policy = { maxOpenPerUser: 1000, maxPendingPerUser: 1000 };
  const host = (name: string, extra: Record<string, unknown> = {}) =>
    as.admin
      .post<{ id: string }>("/hosts", {
        name,
        ...hostInput(sshd),
        policy,
        ...extra,
      })
      .then((r) => r.body.id);
  hostId = await host("db-gw");
  approvalHostId = await host("payments-db", { policy: { ...policy, approval: true } });
  laptop = await downloadClient(warren.url);
});

afterAll(async () => {
  laptop?.dispose();
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

describe("names", () => {
  it("takes a valid name, shows it, and records it in the audit trail", async () => {
    const created = await as.alice.post<Tunnel>("/tunnels", local({ name: "orders-db" }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.name).toBe("orders-db");
    const audit = await as.admin.get<{ events: { action: string; details: { name?: string } }[] }>(
      `/audit?action=tunnel.requested&tunnelId=${created.body.id}`,
    );
    expect(audit.body.events[0]?.details.name).toBe("orders-db");
  });

  it("refuses a malformed name with 422 naming the field", async () => {
    for (const name of ["Orders", "9db", "db_1", "x".repeat(33)]) {
      const refused = await as.alice.post<ApiErrorBody>("/tunnels", local({ name }));
      expect(refused.status, name).toBe(422);
      expect(refused.body.error.field, name).toBe("name");
    }
  });

  it("refuses a name the owner already uses on an open tunnel or a pending request (409), frees it once that ends, and keeps names per owner", async () => {
    const first = (await as.alice.post<Tunnel>("/tunnels", local({ name: "clash" }))).body;
    const clash = await as.alice.post<ApiErrorBody>("/tunnels", local({ name: "clash" }));
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ field: "name", message: `you already have an open tunnel named clash (${first.id})` });
    // Another person's names are their own.
    expect((await as.bob.post<Tunnel>("/tunnels", local({ name: "clash" }))).status).toBe(201);
    await as.alice.delete(`/tunnels/${first.id}`);
    const again = await as.alice.post<Tunnel>("/tunnels", local({ name: "clash" }));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.id);

    const pending = await as.alice.post<Tunnel>("/tunnels", local({ hostId: approvalHostId, name: "waiting" }));
    expect(pending.body.status).toBe("pending_approval");
    expect((await as.alice.post<ApiErrorBody>("/tunnels", local({ name: "waiting" }))).status).toBe(409);
    await as.alice.delete(`/tunnels/${pending.body.id}`);
    expect((await as.alice.post<Tunnel>("/tunnels", local({ name: "waiting" }))).status).toBe(201);
  });

  it("finds only the caller's own tunnel by name: a team member cannot look up another's", async () => {
    const shared = (await as.alice.post<Tunnel>("/tunnels", local({ name: "ledger", teamId }))).body;
    // Bob sees the shared tunnel in his list, but a name is looked up among his own.
    const listed = await as.bob.get<{ tunnels: Tunnel[] }>("/tunnels");
    expect(listed.body.tunnels.map((t) => t.id)).toContain(shared.id);
    expect((await as.bob.get<{ tunnels: Tunnel[] }>("/tunnels?name=ledger")).body.tunnels).toEqual([]);
    expect((await as.alice.get<{ tunnels: Tunnel[] }>("/tunnels?name=ledger")).body.tunnels.map((t) => t.id)).toEqual([shared.id]);
    const env = { WARREN_URL: warren.url, WARREN_TOKEN: tokens.bob! };
    const close = await laptop.run(["close", "ledger"], env);
    expect(close.code).toBe(1);
    expect(close.stderr.trim()).toBe("warren: no tunnel with id ledger, and no open tunnel of yours named ledger");
    expect((await tunnel(shared.id)).status).toBe("active");
    // Its owner closes it by name.
    const own = await laptop.run(["close", "ledger"], { WARREN_URL: warren.url, WARREN_TOKEN: tokens.alice! });
    expect(own.code, own.stderr).toBe(0);
    expect((await tunnel(shared.id)).status).toBe("closed");
  });
});

describe("a tunnel with no port on the bastion", () => {
  it("opens with no listener, has no OpenSSH command, closes, and refuses what only a listener means", async () => {
    const before = warrenListeners();
    expect(before.length).toBeGreaterThan(0); // Warren's own web port: the check sees this process
    for (const kind of ["local", "dynamic"] as const) {
      const body = kind === "local" ? local({ name: `bare-${kind}` }) : { kind, hostId, name: `bare-${kind}` };
      const created = await as.alice.post<Tunnel>("/tunnels", body);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ listen: null, sshCommand: null });
      await active(created.body.id);
      expect(warrenListeners()).toEqual(before);
      await as.alice.delete(`/tunnels/${created.body.id}`);
      expect((await tunnel(created.body.id)).status).toBe("closed");
    }
    // The same check sees a listener when there is one.
    const port = await freePortInRange();
    const withPort = await as.alice.post<Tunnel>("/tunnels", local({ listen: { port } }));
    await active(withPort.body.id);
    expect(warrenListeners()).toContain(`127.0.0.1:${port}`);
    await as.alice.delete(`/tunnels/${withPort.body.id}`);

    const sources = await as.alice.post<ApiErrorBody>("/tunnels", local({ allowedSources: ["10.0.0.1"] }));
    expect(sources.status).toBe(422);
    expect(sources.body.error.field).toBe("allowedSources");
    const remote = await as.alice.post<ApiErrorBody>("/tunnels", { kind: "remote", hostId, target: { host: "127.0.0.1", port: origin.port } });
    expect(remote.status).toBe(422);
    expect(remote.body.error.field).toBe("listen");
  });

  it("follows its host's SSH link: reconnecting while sshd is down, active again when it is back", async () => {
    const created = (await as.alice.post<Tunnel>("/tunnels", { kind: "dynamic", hostId, name: "follows-link" })).body;
    await active(created.id);
    await sshd.kill();
    await until(
      () => tunnel(created.id),
      (t) => t.status === "reconnecting",
      "reconnecting",
    );
    await sshd.restart();
    await active(created.id);
    await as.alice.delete(`/tunnels/${created.id}`);
  });

  it("is approved like any other request, and reopens after a Warren restart, still without a listener", async () => {
    const pending = (await as.alice.post<Tunnel>("/tunnels", local({ hostId: approvalHostId, name: "kept" }))).body;
    expect((await as.admin.post(`/tunnels/${pending.id}/approve`, {})).status).toBe(200);
    await active(pending.id);
    const before = warrenListeners();
    await warren.stop();
    await startAll(warren.dataDir, warren.port);
    for (const who of ["admin", "alice", "bob"] as const) as[who] = apiClient(warren.url, tokens[who]!);
    await active(pending.id);
    // The same listeners as before the restart (its web port), none for the tunnel.
    expect(warrenListeners()).toEqual(before);
    await as.alice.delete(`/tunnels/${pending.id}`);
  });
});

describe("warren open", () => {
  const env = () => ({ WARREN_URL: warren.url, WARREN_TOKEN: tokens.alice! });

  it("opens a local tunnel with a name and no bastion port, and says what to run next", async () => {
    const run = await laptop.run(["open", "local", "--host", "db-gw", "--target", `127.0.0.1:${origin.port}`, "--name", "cli-db", "--ttl", "30"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\(cli-db\) {2}local {2}active {2}127\.0\.0\.1:\d+ via db-gw {2}no bastion port {2}alice@example\.com/);
    expect(run.stdout).toContain("next: warren connect cli-db");
    const [opened] = (await as.alice.get<{ tunnels: (Tunnel & { ttlMinutes: number })[] }>("/tunnels?name=cli-db")).body.tunnels;
    expect(opened).toMatchObject({ listen: null, ttlMinutes: 30, status: "active" });
  });

  it("opens a dynamic tunnel without a name (the next step names its id), and one with a bastion port when --listen says so", async () => {
    const run = await laptop.run(["open", "dynamic", "--host", "db-gw", "--team", "payments"], env());
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.split(/\s+/)[0]!;
    expect(run.stdout).toContain(`next: warren connect ${id}`);
    expect((await as.alice.get<{ teamId: string; kind: string }>(`/tunnels/${id}`)).body).toMatchObject({ kind: "dynamic", teamId });

    const port = await freePortInRange();
    const listening = await laptop.run(["open", "dynamic", "--host", "db-gw", "--listen", `127.0.0.1:${port}`], env());
    expect(listening.code, listening.stderr).toBe(0);
    expect(listening.stdout).toContain(`bastion port 127.0.0.1:${port}`);
    expect(warrenListeners()).toContain(`127.0.0.1:${port}`);
  });

  it("waits for approval, saying so, then reports the approval", async () => {
    const child = laptop.start(
      ["open", "local", "--host", "payments-db", "--target", `127.0.0.1:${origin.port}`, "--name", "approved-db", "--reason", "incident 9"],
      env(),
    );
    const output = collect(child);
    await until(
      async () => output.stderr,
      (text) => text.includes("Ctrl-C stops waiting"),
      "the client to wait",
    );
    expect(output.stderr).toContain("payments-db needs approval: waiting for a team owner or an admin (unanswered, the request expires at");
    const [pending] = (await as.alice.get<{ tunnels: Tunnel[] }>("/tunnels?name=approved-db")).body.tunnels;
    await as.admin.post(`/tunnels/${pending!.id}/approve`, { reason: "go ahead" });
    expect(await output.exit).toBe(0);
    expect(output.stderr).toContain("approved: approved by admin@example.com: go ahead");
    expect(output.stdout).toContain("next: warren connect approved-db");
  });

  it("reports a denial with its reason (exit 1)", async () => {
    const child = laptop.start(["open", "dynamic", "--host", "payments-db", "--name", "denied-proxy", "--reason", "incident 9"], env());
    const output = collect(child);
    await until(
      async () => output.stderr,
      (text) => text.includes("Ctrl-C stops waiting"),
      "the client to wait",
    );
    const [pending] = (await as.alice.get<{ tunnels: Tunnel[] }>("/tunnels?name=denied-proxy")).body.tunnels;
    await as.admin.post(`/tunnels/${pending!.id}/deny`, { reason: "use the replica" });
    expect(await output.exit).toBe(1);
    expect(output.stderr).toContain("denied: denied by admin@example.com: use the replica");
  });

  it("Ctrl-C stops waiting, leaves the request pending and says how to withdraw it", async () => {
    const child = laptop.start(["open", "dynamic", "--host", "payments-db", "--name", "left-pending", "--reason", "incident 9"], env());
    const output = collect(child);
    await until(
      async () => output.stderr,
      (text) => text.includes("Ctrl-C stops waiting"),
      "the client to wait",
    );
    child.kill("SIGINT");
    expect(await output.exit).toBe(1);
    expect(output.stderr).toContain("stopped waiting: the request left-pending stays pending; withdraw it with `warren close left-pending`");
    const [pending] = (await as.alice.get<{ tunnels: Tunnel[] }>("/tunnels?name=left-pending")).body.tunnels;
    expect(pending?.status).toBe("pending_approval");
  });

  it("names the option at fault, before asking Warren (exit 2) or with Warren's reason (exit 1)", async () => {
    const cases: [string[], number, string][] = [
      [["open", "local", "--host", "db-gw"], 2, "warren: --target: is required for a local tunnel"],
      [["open", "dynamic", "--host", "db-gw", "--target", "a:1"], 2, "warren: --target: must be left out for a dynamic tunnel"],
      [["open", "local", "--target", "a:1"], 2, "warren: --host: is required"],
      [["open", "sideways", "--host", "db-gw"], 2, "warren: open: the kind must be local, remote or dynamic, not 'sideways'"],
      [["open", "remote", "--host", "db-gw", "--listen", "8080"], 2, "warren: --to-client or --target: a remote tunnel leads to this computer"],
      [["open", "remote", "--host", "db-gw", "--to-client"], 2, "warren: --listen: is required for a remote tunnel"],
      [["open", "local", "--host", "db-gw", "--target", "a:1", "--to-client"], 2, "warren: --to-client: is for a remote tunnel"],
      [["open", "dynamic", "--host", "db-gw", "--listen", "70000"], 2, "warren: --listen: must be between 1 and 65535"],
      [["open", "dynamic", "--host", "db-gw", "--name", "Bad Name"], 2, "warren: --name: must be 1 to 32 lower-case letters"],
      [["open", "dynamic", "--host", "db-gw", "--ttl", "soon"], 2, "warren: --ttl: must be a number"],
      [["open", "dynamic", "--host", "nowhere"], 1, "warren: --host: no host named nowhere (yours: db-gw, payments-db)"],
      [["open", "dynamic", "--host", "db-gw", "--team", "nobody"], 1, "warren: --team: no team of yours named nobody (yours: payments)"],
      [["open", "dynamic", "--host", "db-gw", "--name", "cli-db"], 1, "warren: --name: you already have an open tunnel named cli-db"],
      [["open", "dynamic", "--host", "db-gw", "--listen", "1"], 1, "warren: --listen: must be between"],
      [["open", "dynamic", "--host", "db-gw", "--reason", ""], 2, "warren: --reason: must not be empty"],
      [["open", "dynamic", "--host", "payments-db"], 1, "warren: --reason: is required: payments-db needs approval, and approvers read why you need it"],
    ];
    for (const [args, code, message] of cases) {
      const run = await laptop.run(args, env());
      expect(run.code, args.join(" ")).toBe(code);
      expect(run.stderr, args.join(" ")).toContain(message);
    }
  });
});

/** A started client's output as it arrives, and its exit code. */
function collect(child: ReturnType<LaptopClient["start"]>) {
  const output = { stdout: "", stderr: "", exit: new Promise<number | null>((resolve) => child.once("close", resolve)) };
  child.stdout!.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  return output;
}
