// Behind a reverse proxy (issue #18): the client's address comes from the
// proxy header only when the connection comes from a configured proxy, and
// then from the right-most entry that is not itself a proxy. Here 127.0.0.2
// plays the proxy, other loopback addresses play clients sending the header
// themselves; joining a shared tunnel, the audit's address and the sign-in
// limits all see the same address.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange } from "@/tests/harness/free-port";
import { httpFrom } from "@/tests/harness/http-from";
import { signInAttempt } from "@/tests/harness/sign-in";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; allowedSources: string[] };
type AuditEvents = { events: { action: string; actorIp: string | null }[] };

const password = "correct horse battery";
const PROXY = "127.0.0.2";
let sshd: SshdHandle;
let warren: WarrenHandle;
let admin: ApiClient;
let member: ApiClient;
let ownerToken: string;
let teamId: string;
let hostId: string;

beforeAll(async () => {
  sshd = await startSshd();
  warren = await startWarren({ env: { WARREN_TRUSTED_PROXY_HEADER: "X-Forwarded-For", WARREN_TRUSTED_PROXIES: `${PROXY},10.0.0.0/8` } });
  for (const email of ["admin", "owner", "member"]) await warren.createUser({ email: `${email}@example.com`, password, admin: email === "admin" });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  member = apiClient(warren.url, await warren.createToken("member@example.com"));
  ownerToken = await warren.createToken("owner@example.com");
  teamId = (await admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "owner@example.com" })).body.id;
  await admin.post(`/teams/${teamId}/members`, { email: "member@example.com" });
  const host = { name: "payments-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, teamIds: [teamId] };
  hostId = (await admin.post<{ id: string }>("/hosts", host)).body.id;
});

afterAll(async () => {
  await warren?.dispose();
  await sshd?.dispose();
});

/** The owner joins a fresh tunnel shared with the team, from `from` with `forwarded` as X-Forwarded-For. */
async function join(from: string, forwarded: string) {
  const created = await member.post<Tunnel>("/tunnels", {
    kind: "local",
    hostId,
    teamId,
    listen: { port: await freePortInRange() },
    target: { host: "127.0.0.1", port: 9 },
    allowedSources: ["127.0.0.9/32"],
  });
  expect(created.status).toBe(201);
  const answer = await httpFrom(`${warren.url}/api/v1/tunnels/${created.body.id}/join`, {
    method: "POST",
    from,
    headers: { authorization: `Bearer ${ownerToken}`, "x-forwarded-for": forwarded },
  });
  const events = (await admin.get<AuditEvents>(`/audit?tunnelId=${created.body.id}`)).body.events;
  await member.delete(`/tunnels/${created.body.id}`);
  return { status: answer.status, tunnel: JSON.parse(answer.body) as Tunnel, joinedFrom: events.find((e) => e.action === "tunnel.joined")?.actorIp };
}

describe("the proxy header", () => {
  it("is ignored from a client that is not a trusted proxy: the address is the connection's", async () => {
    const joined = await join("127.0.0.3", "10.9.9.9");
    expect(joined.status).toBe(200);
    expect(joined.tunnel.allowedSources).toEqual(["127.0.0.9/32", "127.0.0.3/32"]);
    expect(joined.joinedFrom).toBe("127.0.0.3");
  });

  it("names the client when a trusted proxy sends it: the right-most entry that is no proxy", async () => {
    // What the client wrote itself (6.6.6.6) is left of what the proxies saw.
    const joined = await join(PROXY, "6.6.6.6, 192.0.2.44, 10.1.2.3");
    expect(joined.status).toBe(200);
    expect(joined.tunnel.allowedSources).toEqual(["127.0.0.9/32", "192.0.2.44/32"]);
    expect(joined.joinedFrom).toBe("192.0.2.44");
  });

  it("is ignored when it is not an address, from anyone, never a 500", async () => {
    const fromProxy = await join(PROXY, "not-an-address");
    expect(fromProxy.status).toBe(200);
    expect(fromProxy.tunnel.allowedSources).toEqual(["127.0.0.9/32", "127.0.0.2/32"]);
    const fromClient = await join("127.0.0.4", "<script>");
    expect(fromClient.status).toBe(200);
    expect(fromClient.tunnel.allowedSources).toEqual(["127.0.0.9/32", "127.0.0.4/32"]);
  });

  // Thirty-odd sign-ins, each with a real argon2 check: minutes on a busy machine.
  it("cannot get a client around the sign-in limits by naming a new address each time", { timeout: 240_000 }, async () => {
    for (let i = 0; i < 30; i++) {
      expect(
        (await signInAttempt(warren.url, `nobody-${i}@example.com`, "guess", { from: "127.0.0.5", headers: { "x-forwarded-for": `203.0.113.${i}` } })).error,
      ).toBe("CredentialsSignin");
    }
    const refused = await signInAttempt(warren.url, "owner@example.com", password, { from: "127.0.0.5", headers: { "x-forwarded-for": "203.0.113.200" } });
    expect(refused.error).toMatch(/^Too many failed sign-ins/);
    // Through the proxy, the client it names is counted, not the proxy.
    expect(
      (await signInAttempt(warren.url, "owner@example.com", password, { from: PROXY, headers: { "x-forwarded-for": "203.0.113.201" } })).session,
    ).toBeDefined();
  });
});
