// The laptop client Warren serves, downloaded and run with Node as a person
// would: it lists and closes tunnels over the API, and every refusal is one
// clear line with the exit code the docs promise (1 refused, 2 usage).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePort, freePortInRange } from "@/tests/harness/free-port";
import { downloadClient, type LaptopClient } from "@/tests/harness/laptop-client";
import { startSshd, type SshdHandle, hostInput } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

let sshd: SshdHandle;
let warren: WarrenHandle;
let laptop: LaptopClient;
let admin: ApiClient;
let token: string;
let hostId: string;
const password = "correct horse battery";

beforeAll(async () => {
  [sshd, warren] = await Promise.all([startSshd(), startWarren()]);
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  token = await warren.createToken("admin@example.com");
  admin = apiClient(warren.url, token);
  const host = await admin.post<{ id: string }>("/hosts", {
    name: "db-gw",
    ...hostInput(sshd),
  });
  hostId = host.body.id;
  laptop = await downloadClient(warren.url);
});
afterAll(async () => {
  laptop?.dispose();
  await Promise.all([warren?.dispose(), sshd?.dispose()]);
});

describe("the served client", () => {
  it("is one ES module that Node runs with nothing installed", async () => {
    const response = await fetch(new URL("/cli/warren.mjs", warren.url));
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    const help = await laptop.run(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: warren <command>");
  });

  it("lists the person's tunnels and closes one", async () => {
    const port = await freePortInRange();
    const opened = await admin.post<{ id: string }>("/tunnels", { kind: "local", hostId, listen: { port }, target: { host: "127.0.0.1", port: sshd.port } });
    expect(opened.status).toBe(201);
    const env = { WARREN_URL: warren.url, WARREN_TOKEN: token };

    const listed = await laptop.run(["tunnels"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`${opened.body.id}  local`);
    expect(listed.stdout).toContain(`127.0.0.1:${sshd.port} via db-gw`);

    const closed = await laptop.run(["close", opened.body.id, "--url", warren.url, "--token", token]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout).toContain(`${opened.body.id}: closed`);
    expect((await admin.get<{ status: string }>(`/tunnels/${opened.body.id}`)).body.status).toBe("closed");
  });
});

describe("refusals, one line each", () => {
  it("without a login or a token, says how to log in (exit 1)", async () => {
    const run = await laptop.run(["tunnels"]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("warren: not logged in: run `warren login https://your-warren` (or give --url and --token)");
  });

  it("with a token Warren does not know, prints Warren's own reason (exit 1)", async () => {
    const run = await laptop.run(["tunnels", "--url", warren.url, "--token", "wrn_not_a_token"]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("warren: the API token is invalid, expired or revoked");
  });

  it("a tunnel that is not there: Warren's 404 reason (exit 1)", async () => {
    const run = await laptop.run(["close", "nosuchtunnel", "--url", warren.url, "--token", token]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^warren: no tunnel/);
  });

  it("when Warren is unreachable, says so and where (exit 1)", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await laptop.run(["tunnels", "--url", url, "--token", token]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`warren: Warren at ${url} is unreachable: connect ECONNREFUSED`);
  });

  it("bad usage: names the problem and prints the usage (exit 2)", async () => {
    for (const args of [["bogus"], ["close"], ["tunnels", "--bogus"], ["tunnels", "--url", "ftp://x", "--token", "t"]]) {
      const run = await laptop.run(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(/^warren: /);
    }
  });
});
