// The authorization matrix: admin / team owner / team member / outsider /
// disabled user × every route and socket event × their own, their team's and
// others' resources, against a real Warren, sshd and database. Each row says
// what every actor gets; a refusal must leave the resource as it was.
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { fetchAll, startOrigin, type Origin } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { eachEvent } from "@/tests/harness/socket-events";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const ACTORS = ["admin", "owner", "member", "outsider", "disabled"] as const;
type Actor = (typeof ACTORS)[number];
type Expected = Record<Actor, number>;
type Tunnel = { id: string; status: string; ownerId: string; teamId: string | null; allowedSources: string[]; expiresAt: string; listen: { port: number } };

const password = "correct horse battery";
let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
const as = {} as Record<Actor, ApiClient>;
const tokens = {} as Record<Actor, string>;
const userIds = {} as Record<Actor, string>;
let teamId: string;
let otherTeamId: string;
const hosts = {} as Record<"everyone" | "team" | "otherTeam" | "approval", string>;
const usedPorts = new Set<number>();

async function port(): Promise<number> {
  for (;;) {
    const candidate = await freePortInRange();
    if (!usedPorts.has(candidate)) {
      usedPorts.add(candidate);
      return candidate;
    }
  }
}

async function tunnelOf(actor: Actor, hostId: string, extra: Record<string, unknown> = {}): Promise<Tunnel> {
  const response = await as[actor].post<Tunnel>("/tunnels", {
    kind: "local",
    reason: "on call",
    hostId,
    listen: { port: await port() },
    target: { host: "127.0.0.1", port: origin.port },
    ...extra,
  });
  if (response.status !== 201) throw new Error(`${actor} could not open a tunnel: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The stored tunnel, read by an admin, to check that a refusal changed nothing. */
const stored = async (id: string) => (await as.admin.get<Tunnel>(`/tunnels/${id}`)).body;

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin({ size: 1024 })]);
  // Checks open fresh tunnels and leave them open: the per-user limits (limits.integration.test.ts) stay out of the way.
  warren = await startWarren({ env: { NODE_ENV: "production", WARREN_MAX_TUNNELS_PER_USER: "100000" } });
  for (const actor of ACTORS) await warren.createUser({ email: `${actor}@example.com`, password, admin: actor === "admin" });
  for (const actor of ACTORS) {
    tokens[actor] = await warren.createToken(`${actor}@example.com`);
    as[actor] = apiClient(warren.url, tokens[actor]);
    userIds[actor] = (await as[actor].get<{ user: { id: string } }>("/me")).body.user.id;
  }
  teamId = (await as.admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "owner@example.com" })).body.id;
  otherTeamId = (await as.admin.post<{ id: string }>("/teams", { name: "search" })).body.id;
  for (const actor of ["member", "disabled"] as const) await as.admin.post(`/teams/${teamId}/members`, { email: `${actor}@example.com` });
  const unlimited = { maxOpenPerUser: 1000, maxPendingPerUser: 1000 };
  const host = (name: string, extra: { teamIds?: string[]; policy?: Record<string, unknown> }) =>
    as.admin
      .post<{ id: string }>("/hosts", {
        name,
        address: sshd.host,
        port: sshd.port,
        username: sshd.username,
        privateKey: sshd.privateKey,
        ...extra,
        policy: { ...unlimited, ...extra.policy },
      })
      .then((r) => r.body.id);
  hosts.everyone = await host("everyone-1", {});
  hosts.team = await host("payments-1", { teamIds: [teamId] });
  hosts.otherTeam = await host("search-1", { teamIds: [otherTeamId] });
  hosts.approval = await host("payments-db", { teamIds: [teamId], policy: { approval: true } });
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

/** Runs one request as every actor; `fresh` makes a new resource for each, so allowed calls do not spoil the next. */
async function matrix(
  expected: Expected,
  call: (client: ApiClient, vars: Record<string, string>) => Promise<{ status: number }>,
  fresh?: () => Promise<Record<string, string>>,
) {
  const got = {} as Expected;
  for (const actor of ACTORS) {
    const vars = fresh ? await fresh() : {};
    got[actor] = (await call(as[actor], vars)).status;
  }
  expect(got).toEqual(expected);
}

const everyone = (status: number, disabled = 401): Expected => ({ admin: status, owner: status, member: status, outsider: status, disabled });

describe("the authorization matrix", () => {
  beforeAll(async () => {
    // The disabled user was a team member with a tunnel; disabling ends all of it.
    await tunnelOf("disabled", hosts.team);
    expect((await as.admin.patch(`/users/${userIds.disabled}`, { disabled: true })).status).toBe(200);
  });

  describe("hosts", () => {
    it("are listed only where their team assignment lets people see them", async () => {
      const names = async (actor: Actor) => (await as[actor].get<{ hosts: { name: string }[] }>("/hosts")).body.hosts?.map((h) => h.name).sort();
      expect(await names("admin")).toEqual(["everyone-1", "payments-1", "payments-db", "search-1"]);
      expect(await names("owner")).toEqual(["everyone-1", "payments-1", "payments-db"]);
      expect(await names("member")).toEqual(["everyone-1", "payments-1", "payments-db"]);
      expect(await names("outsider")).toEqual(["everyone-1"]);
      expect((await as.disabled.get("/hosts")).status).toBe(401);
    });

    it.each([
      ["GET a team's host", "GET", "team", undefined, { admin: 200, owner: 200, member: 200, outsider: 404, disabled: 401 }],
      ["GET another team's host", "GET", "otherTeam", undefined, { admin: 200, owner: 404, member: 404, outsider: 404, disabled: 401 }],
      [
        "change a team's host's policy",
        "PATCH",
        "team",
        { policy: { maxTtlMinutes: 600 } },
        { admin: 200, owner: 403, member: 403, outsider: 404, disabled: 401 },
      ],
      ["change a team's host's address", "PATCH", "team", { address: "127.0.0.1" }, { admin: 200, owner: 403, member: 403, outsider: 404, disabled: 401 }],
      [
        "change a host for everyone",
        "PATCH",
        "everyone",
        { policy: { maxTtlMinutes: 600 } },
        { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 },
      ],
      ["test a team's host", "POST", "team", {}, { admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 }],
    ] as const)("%s", async (_name, method, which, body, expected) => {
      const path = method === "POST" ? `/hosts/${hosts[which]}/test` : `/hosts/${hosts[which]}`;
      await matrix(expected, (client) => (method === "GET" ? client.get(path) : method === "PATCH" ? client.patch(path, body) : client.post(path, body)));
    });

    /** Hosts an admin adds for the owner's team, one per call, named `<prefix>-1`, `<prefix>-2`, … */
    const freshHosts = (prefix: string) => {
      let n = 0;
      return async () => ({
        id: (
          await as.admin.post<{ id: string }>("/hosts", {
            name: `${prefix}-${++n}`,
            address: sshd.host,
            port: sshd.port,
            username: sshd.username,
            generateKey: true,
            teamIds: [teamId],
          })
        ).body.id,
      });
    };

    it("are added by admins only, so only an admin ever chooses the address a host test probes", async () => {
      let n = 0;
      const add = (client: ApiClient, extra: Record<string, unknown>) =>
        client.post("/hosts", { name: `new-${++n}`, address: sshd.host, port: sshd.port, username: sshd.username, generateKey: true, ...extra });
      await matrix({ admin: 201, owner: 403, member: 403, outsider: 403, disabled: 401 }, (client) => add(client, { teamIds: [teamId] }));
      expect((await add(as.owner, { teamIds: [otherTeamId] })).status).toBe(403);
    });

    it("keep their address, credentials, policy and key trust for admins: an owner of all their teams changes only which of them see it", async () => {
      const fresh = freshHosts("kept");
      const changes: [string, Record<string, unknown>][] = [
        ["policy", { policy: { publicBinds: true, anySource: true, targets: [], maxTtlMinutes: 10_080 } }],
        ["address", { address: "10.0.0.9" }],
        ["port", { port: 2222 }],
        ["username", { username: "deploy" }],
        ["generateKey", { generateKey: true }],
        ["hostKeyFingerprint", { hostKeyFingerprint: `SHA256:${"A".repeat(43)}` }],
        ["name", { name: "renamed" }],
        ["visibleToAll", { visibleToAll: true }],
      ];
      for (const [field, change] of changes) {
        const { id } = await fresh();
        const before = (await as.admin.get(`/hosts/${id}`)).body;
        const refused = await as.owner.patch<{ error: { code: string; field: string } }>(`/hosts/${id}`, change);
        expect({ status: refused.status, code: refused.body.error.code, field: refused.body.error.field }).toEqual({ status: 403, code: "forbidden", field });
        expect((await as.admin.get(`/hosts/${id}`)).body).toEqual(before);
      }
      // Visibility among their own teams, and a test of the address an admin chose, are theirs.
      const { id } = await fresh();
      await matrix({ admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 }, (c) =>
        c.patch(`/hosts/${id}`, { visibleToAll: false, teamIds: [teamId] }),
      );
      expect((await as.owner.post(`/hosts/${id}/test`, {})).status).toBe(200);
      const audit = await as.admin.get<{ events: { action: string; details: { changed: string[] } }[] }>(`/audit?hostId=${id}&action=host.updated`);
      expect(audit.body.events.map((e) => e.details.changed)).toEqual([
        ["visibleToAll", "teamIds"],
        ["visibleToAll", "teamIds"],
      ]);
    });

    it("are deleted by admins only", async () => {
      const fresh = freshHosts("gone");
      await matrix({ admin: 200, owner: 403, member: 403, outsider: 404, disabled: 401 }, (client, { id }) => client.delete(`/hosts/${id}`), fresh);
    });
  });

  describe("tunnels", () => {
    it("are opened only through hosts the requester may use, and shared only with their own teams", async () => {
      const open =
        (hostId: string, extra = {}) =>
        async (client: ApiClient) => {
          const response = await client.post<Tunnel>("/tunnels", {
            kind: "local",
            hostId,
            listen: { port: await port() },
            target: { host: "127.0.0.1", port: origin.port },
            ...extra,
          });
          if (response.status === 201) await as.admin.delete(`/tunnels/${response.body.id}`);
          return response;
        };
      await matrix({ admin: 201, owner: 201, member: 201, outsider: 422, disabled: 401 }, open(hosts.team));
      await matrix({ admin: 201, owner: 422, member: 422, outsider: 422, disabled: 401 }, open(hosts.otherTeam));
      await matrix({ admin: 422, owner: 201, member: 201, outsider: 422, disabled: 401 }, open(hosts.everyone, { teamId }));
    });

    it.each([
      ["GET", (id: string) => `/tunnels/${id}`],
      ["GET history", (id: string) => `/tunnels/${id}/history`],
    ])("%s: owner, team and admins see a shared tunnel; others do not know it exists", async (_name, path) => {
      const shared = await tunnelOf("member", hosts.team, { teamId });
      const unshared = await tunnelOf("member", hosts.team);
      const other = await tunnelOf("outsider", hosts.everyone);
      await matrix({ admin: 200, owner: 200, member: 200, outsider: 404, disabled: 401 }, (client) => client.get(path(shared.id)));
      await matrix({ admin: 200, owner: 404, member: 200, outsider: 404, disabled: 401 }, (client) => client.get(path(unshared.id)));
      await matrix({ admin: 200, owner: 404, member: 404, outsider: 200, disabled: 401 }, (client) => client.get(path(other.id)));
    });

    it("lead to the bastion itself for nobody, admins included, unless the host's policy names it", async () => {
      // Warren's own port, dialled from the bastion by a remote tunnel.
      const body = { hostId: hosts.everyone, kind: "remote", listen: { address: "127.0.0.1", port: 8080 }, target: { host: "127.0.0.1", port: warren.port } };
      await matrix(everyone(403), (client) => client.post("/tunnels", body));
    });

    it("are listed for their owner, their team and admins", async () => {
      const shared = await tunnelOf("member", hosts.team, { teamId });
      const lists = async (actor: Actor) => ((await as[actor].get<{ tunnels: Tunnel[] }>("/tunnels")).body.tunnels ?? []).some((t) => t.id === shared.id);
      expect(Object.fromEntries(await Promise.all(ACTORS.map(async (a) => [a, await lists(a)])))).toEqual({
        admin: true,
        owner: true,
        member: true,
        outsider: false,
        disabled: false,
      });
    });

    it("are closed by their owner or an admin only; a refusal leaves them open", async () => {
      const fresh = async () => ({ id: (await tunnelOf("member", hosts.team, { teamId })).id });
      const refusedStillOpen = async (client: ApiClient, { id }: Record<string, string>) => {
        const response = await client.delete(`/tunnels/${id}`);
        if (response.status !== 200) expect((await stored(id!)).status).toBe("active");
        return response;
      };
      await matrix({ admin: 200, owner: 403, member: 200, outsider: 404, disabled: 401 }, refusedStillOpen, fresh);
    });

    it("are extended by their owner or an admin only; a refusal leaves the expiry alone", async () => {
      const tunnel = await tunnelOf("member", hosts.team, { teamId, ttlMinutes: 5 });
      await matrix({ admin: 200, owner: 403, member: 200, outsider: 404, disabled: 401 }, async (client) => {
        const before = (await stored(tunnel.id)).expiresAt;
        const response = await client.post(`/tunnels/${tunnel.id}/extend`, { ttlMinutes: 30 });
        if (response.status !== 200) expect((await stored(tunnel.id)).expiresAt).toBe(before);
        return response;
      });
    });

    it("are joined by members of the team they are shared with, adding only their address", async () => {
      const tunnel = await tunnelOf("member", hosts.team, { teamId, allowedSources: ["127.0.0.2/32"] });
      await matrix({ admin: 403, owner: 200, member: 409, outsider: 404, disabled: 401 }, (client) => client.post(`/tunnels/${tunnel.id}/join`));
      const after = await stored(tunnel.id);
      expect(after.allowedSources).toEqual(["127.0.0.2/32", "127.0.0.1/32"]);
    });

    it("lose a participant to the owner, an admin or the participant; not to anyone else", async () => {
      const fresh = async () => {
        const tunnel = await tunnelOf("member", hosts.team, { teamId, allowedSources: ["127.0.0.2/32"] });
        await as.owner.post(`/tunnels/${tunnel.id}/join`);
        return { id: tunnel.id };
      };
      await matrix(
        { admin: 200, owner: 200, member: 200, outsider: 404, disabled: 401 },
        async (client, { id }) => {
          const response = await client.delete(`/tunnels/${id}/participants/${userIds.owner}`);
          expect((await stored(id!)).allowedSources).toEqual(response.status === 200 ? ["127.0.0.2/32"] : ["127.0.0.2/32", "127.0.0.1/32"]);
          return response;
        },
        fresh,
      );
    });
  });

  describe("approvals", () => {
    const pending = async () => ({ id: (await tunnelOf("member", hosts.approval)).id });

    it("wait for a decision and are listed to those who may decide them", async () => {
      const { id } = await pending();
      expect((await stored(id)).status).toBe("pending_approval");
      const sees = async (actor: Actor) => ((await as[actor].get<{ requests: Tunnel[] }>("/approvals")).body.requests ?? []).some((t) => t.id === id);
      expect(Object.fromEntries(await Promise.all(ACTORS.map(async (a) => [a, await sees(a)])))).toEqual({
        admin: true,
        owner: true,
        member: false,
        outsider: false,
        disabled: false,
      });
    });

    it("are approved by team owners and admins, never by the requester", async () => {
      await matrix(
        { admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 },
        async (client, { id }) => {
          const response = await client.post(`/tunnels/${id}/approve`, {});
          if (response.status === 200)
            await waitFor(
              () => stored(id!),
              (t) => t.status === "active",
              15_000,
              "approved tunnel active",
            );
          else expect((await stored(id!)).status).toBe("pending_approval");
          return response;
        },
        pending,
      );
    });

    it("are denied with a reason by team owners and admins", async () => {
      await matrix(
        { admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 },
        async (client, { id }) => {
          const response = await client.post(`/tunnels/${id}/deny`, { reason: "not during the freeze" });
          expect((await stored(id!)).status).toBe(response.status === 200 ? "denied" : "pending_approval");
          return response;
        },
        pending,
      );
    });
  });

  describe("teams", () => {
    it.each([
      ["GET a team", (c: ApiClient) => c.get(`/teams/${teamId}`), { admin: 200, owner: 200, member: 200, outsider: 404, disabled: 401 }],
      ["GET another team", (c: ApiClient) => c.get(`/teams/${otherTeamId}`), { admin: 200, owner: 404, member: 404, outsider: 404, disabled: 401 }],
      [
        "rename a team",
        (c: ApiClient) => c.patch(`/teams/${teamId}`, { name: "payments" }),
        { admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 },
      ],
      [
        "map identity-provider groups to a team",
        (c: ApiClient) => c.patch(`/teams/${teamId}`, { idpGroups: [] }),
        { admin: 200, owner: 403, member: 403, outsider: 404, disabled: 401 },
      ],
      [
        "create a team",
        (c: ApiClient) => c.post("/teams", { name: `t-${Math.random()}` }),
        { admin: 201, owner: 403, member: 403, outsider: 403, disabled: 401 },
      ],
    ] as const)("%s", async (_name, call, expected) => {
      await matrix(expected, call);
    });

    it("list only the caller's teams, all of them for admins", async () => {
      const names = async (actor: Actor) =>
        ((await as[actor].get<{ teams: { id: string }[] }>("/teams")).body.teams ?? [])
          .map((t) => t.id)
          .filter((id) => id === teamId || id === otherTeamId)
          .sort();
      expect(await names("admin")).toEqual([teamId, otherTeamId].sort());
      expect(await names("owner")).toEqual([teamId]);
      expect(await names("member")).toEqual([teamId]);
      expect(await names("outsider")).toEqual([]);
    });

    it("gain and lose members through their owners and admins; an owner's stranger is only invited", async () => {
      let n = 0;
      const newcomer = async () => {
        const email = `newcomer-${++n}@example.com`;
        const user = await as.admin.post<{ id: string }>("/users", { email, password });
        return { email, id: user.body.id };
      };
      await matrix(
        { admin: 201, owner: 202, member: 403, outsider: 404, disabled: 401 },
        (c, { email }) => c.post(`/teams/${teamId}/members`, { email }),
        newcomer,
      );
      const joined = async () => {
        const user = await newcomer();
        await as.admin.post(`/teams/${teamId}/members`, { email: user.email });
        return user;
      };
      await matrix({ admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 }, (c, { id }) => c.delete(`/teams/${teamId}/members/${id}`), joined);
      await matrix(
        { admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 },
        (c, { id }) => c.patch(`/teams/${teamId}/members/${id}`, { role: "member" }),
        joined,
      );
    });

    it("take someone who already shares another team with the owner at once", async () => {
      const colleague = "colleague@example.com";
      await as.admin.post("/users", { email: colleague, password });
      const shared = (await as.admin.post<{ id: string }>("/teams", { name: "payments-oncall", ownerEmail: "owner@example.com" })).body.id;
      expect((await as.admin.post(`/teams/${shared}/members`, { email: colleague })).status).toBe(201);
      const added = await as.owner.post<{ outcome: string; members: { email: string }[] }>(`/teams/${teamId}/members`, { email: colleague });
      expect(added.status).toBe(201);
      expect(added.body.outcome).toBe("added");
      expect(added.body.members.map((m) => m.email)).toContain(colleague);
    });

    it("answer an owner the same for an unknown email as for a stranger's, and the invitation grants nothing until accepted", async () => {
      await as.admin.post("/users", { email: "stranger@example.com", password });
      const stranger = apiClient(warren.url, await warren.createToken("stranger@example.com"));
      const strangerId = (await stranger.get<{ user: { id: string } }>("/me")).body.user.id;
      type Invited = { outcome: string; message: string; invitations: { id: string; email: string }[] };
      const known = await as.owner.post<Invited>(`/teams/${teamId}/members`, { email: "stranger@example.com" });
      const unknown = await as.owner.post<Invited>(`/teams/${teamId}/members`, { email: "nobody@example.com" });
      expect([known.status, unknown.status]).toEqual([202, 202]);
      expect(known.body.message.replace("stranger", "X")).toBe(unknown.body.message.replace("nobody", "X"));
      expect(unknown.body.invitations.map((i) => i.email)).toEqual(expect.arrayContaining(["stranger@example.com", "nobody@example.com"]));

      // Invited is not a member: no team hosts, no requests for the owner to decide.
      const hostNames = (await stranger.get<{ hosts: { name: string }[] }>("/hosts")).body.hosts.map((h) => h.name);
      expect(hostNames).not.toContain("payments-1");
      expect((await stranger.get(`/teams/${teamId}`)).status).toBe(404);
      const invitation = (await stranger.get<{ invitations: { id: string; teamId: string; team: string; invitedBy: string }[] }>("/teams")).body.invitations;
      expect(invitation).toEqual([expect.objectContaining({ teamId, team: "payments", invitedBy: "owner@example.com" })]);
      const id = invitation[0]!.id;

      // Only the invited person answers it; to anyone else it does not exist.
      const accept = `/teams/${teamId}/invitations/${id}/accept`;
      const refused = { ...Object.fromEntries(ACTORS.map((a) => [a, 404])), disabled: 401 } as Expected;
      await matrix(refused, (c) => c.post(accept));
      await matrix(refused, (c) => c.post(`/teams/${teamId}/invitations/${id}/decline`));
      const accepted = await stranger.post<{ members: { userId: string }[] }>(accept);
      expect(accepted.status).toBe(200);
      expect(accepted.body.members.map((m) => m.userId)).toContain(strangerId);
      expect((await stranger.get<{ hosts: { name: string }[] }>("/hosts")).body.hosts.map((h) => h.name)).toContain("payments-1");
      expect((await stranger.post(accept)).status).toBe(404);

      const actions = (await as.admin.get<{ events: { action: string; details: { email?: string } }[] }>(`/audit?action=team.*`)).body.events
        .filter((e) => e.details.email === "stranger@example.com")
        .map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(["team.member_invited", "team.invitation_accepted"]));
    });

    it("lose an invitation to its invitee's no, or to an owner or admin taking it back", async () => {
      let n = 0;
      const invited = async () => {
        const email = `invitee-${++n}@example.com`;
        await as.admin.post("/users", { email, password });
        const body = (await as.owner.post<{ invitations: { id: string; email: string }[] }>(`/teams/${teamId}/members`, { email })).body;
        return { id: body.invitations.find((i) => i.email === email)!.id, email };
      };
      await matrix(
        { admin: 200, owner: 200, member: 403, outsider: 404, disabled: 401 },
        (c, { id }) => c.delete(`/teams/${teamId}/invitations/${id}`),
        invited,
      );
      const { id, email } = await invited();
      const invitee = apiClient(warren.url, await warren.createToken(email));
      expect((await invitee.post(`/teams/${teamId}/invitations/${id}/decline`)).status).toBe(200);
      expect((await invitee.get<{ invitations: unknown[] }>("/teams")).body.invitations).toEqual([]);
      expect((await invitee.post(`/teams/${teamId}/invitations/${id}/accept`)).status).toBe(404);
      const actions = (await as.admin.get<{ events: { action: string }[] }>(`/audit?action=team.invitation_*`)).body.events.map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(["team.invitation_withdrawn", "team.invitation_declined"]));
    });

    it("are deleted by admins only", async () => {
      const fresh = async () => ({
        id: (await as.admin.post<{ id: string }>("/teams", { name: `doomed-${Math.random()}`, ownerEmail: "owner@example.com" })).body.id,
      });
      await matrix({ admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }, (c, { id }) => c.delete(`/teams/${id}`), fresh);
    });
  });

  describe("audit sinks", () => {
    const sinkBody = (name: string) => ({ kind: "webhook", name, url: "http://127.0.0.1:9/audit", secret: "a webhook secret of some length" });
    const freshName = async () => ({ name: `sink-${Math.random().toString(36).slice(2, 10)}` });

    it("are added by admins only", async () => {
      await matrix({ admin: 201, owner: 403, member: 403, outsider: 403, disabled: 401 }, (c, { name }) => c.post("/integrations", sinkBody(name!)), freshName);
    });

    it("are removed by admins only", async () => {
      const fresh = async () => {
        const { name } = await freshName();
        expect((await as.admin.post("/integrations", sinkBody(name))).status).toBe(201);
        return { name };
      };
      await matrix({ admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }, (c, { name }) => c.delete(`/integrations/${name}`), fresh);
    });
  });

  describe("admin-only and personal routes", () => {
    it.each([
      ["GET /users", (c: ApiClient) => c.get("/users"), { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }],
      ["GET /audit", (c: ApiClient) => c.get("/audit"), { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }],
      ["GET /audit/verify", (c: ApiClient) => c.get("/audit/verify"), { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }],
      ["GET /nodes", (c: ApiClient) => c.get("/nodes"), { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }],
      ["GET /integrations", (c: ApiClient) => c.get("/integrations"), { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }],
      ["GET /me", (c: ApiClient) => c.get("/me"), everyone(200)],
      ["GET /me/sessions", (c: ApiClient) => c.get("/me/sessions"), everyone(200)],
      ["GET /me/mfa", (c: ApiClient) => c.get("/me/mfa"), everyone(200)],
      ["GET /me/notifications", (c: ApiClient) => c.get("/me/notifications"), everyone(200)],
      ["POST /me/notifications/read", (c: ApiClient) => c.post("/me/notifications/read", { all: true }), everyone(200)],
      ["GET /me/notification-settings", (c: ApiClient) => c.get("/me/notification-settings"), everyone(200)],
      [
        "DELETE /users/:id/mfa",
        (c: ApiClient) => c.delete(`/users/${userIds.member}/mfa`),
        { admin: 409, owner: 403, member: 403, outsider: 403, disabled: 401 },
      ],
      ["GET /tokens", (c: ApiClient) => c.get("/tokens"), everyone(200)],
      [
        "GET /users/:id/sessions",
        (c: ApiClient) => c.get(`/users/${userIds.member}/sessions`),
        { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 },
      ],
      [
        "DELETE /users/:id/sessions/:sessionId",
        (c: ApiClient) => c.delete(`/users/${userIds.member}/sessions/no-such-session`),
        { admin: 404, owner: 403, member: 403, outsider: 403, disabled: 401 },
      ],
      [
        "PATCH /users/:id changes roles",
        (c: ApiClient) => c.patch(`/users/${userIds.outsider}`, { role: "user" }),
        { admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 },
      ],
    ] as const)("%s", async (_name, call, expected) => {
      await matrix(expected, call);
    });

    it("PATCH /users/:id disables for admins only", async () => {
      let n = 0;
      const victim = async () => ({ id: (await as.admin.post<{ id: string }>("/users", { email: `victim-${++n}@example.com`, password })).body.id });
      await matrix({ admin: 200, owner: 403, member: 403, outsider: 403, disabled: 401 }, (c, { id }) => c.patch(`/users/${id}`, { disabled: true }), victim);
    });

    it("POST /users/:id/password-link for admins only", async () => {
      await matrix({ admin: 201, owner: 403, member: 403, outsider: 403, disabled: 401 }, (c) => c.post(`/users/${userIds.outsider}/password-link`));
    });
  });
});

describe("socket events reach exactly the people they concern", () => {
  type Received = { event: string; tunnelId?: string };
  const sockets = {} as Record<Actor, Socket>;
  const received = {} as Record<Actor, Received[]>;

  beforeAll(async () => {
    for (const actor of ["admin", "owner", "member", "outsider"] as const) {
      received[actor] = [];
      sockets[actor] = io(warren.url, { auth: { token: tokens[actor] }, transports: ["websocket"], reconnection: false });
      sockets[actor].onAny((event: string, payload: unknown) =>
        received[actor].push(...eachEvent(event, payload).map((one) => ({ event, tunnelId: one.tunnelId }))),
      );
      await new Promise<void>((resolve, reject) => {
        sockets[actor].once("connect", resolve);
        sockets[actor].once("connect_error", reject);
      });
    }
  });

  afterAll(() => {
    for (const socket of Object.values(sockets)) socket.close();
  });

  /** Which actors heard `event` about `tunnelId`, once the admin (who hears everything) has. */
  async function heard(event: string, tunnelId: string) {
    await waitFor(
      async () => received.admin,
      (list) => list.some((r) => r.event === event && r.tunnelId === tunnelId),
      15_000,
      `admin hears ${event}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the same emit reaches every room at once; allow for delivery
    return Object.fromEntries(
      (["admin", "owner", "member", "outsider"] as const).map((a) => [a, received[a].some((r) => r.event === event && r.tunnelId === tunnelId)]),
    );
  }

  it("refuses a disabled user's socket", async () => {
    const socket = io(warren.url, { auth: { token: tokens.disabled }, transports: ["websocket"], reconnection: false });
    const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
    expect(error.message).toBe("unauthorized");
    socket.close();
  });

  it("tunnel:status and tunnel:stats: owner, the team it is shared with, admins", async () => {
    const shared = await tunnelOf("member", hosts.team, { teamId });
    const other = await tunnelOf("outsider", hosts.everyone);
    expect((await fetchAll("127.0.0.1", shared.listen.port)).equals(origin.payload)).toBe(true);
    expect(await heard("tunnel:stats", shared.id)).toEqual({ admin: true, owner: true, member: true, outsider: false });
    await as.member.delete(`/tunnels/${shared.id}`);
    await as.outsider.delete(`/tunnels/${other.id}`);
    expect(await heard("tunnel:status", shared.id)).toEqual({ admin: true, owner: true, member: true, outsider: false });
    expect(await heard("tunnel:status", other.id)).toEqual({ admin: true, owner: false, member: false, outsider: true });
  });

  it("tunnel:changed (sharing, participants): owner, the team it is shared with, admins", async () => {
    const shared = await tunnelOf("member", hosts.team, { teamId, allowedSources: ["127.0.0.2/32"] });
    const other = await tunnelOf("outsider", hosts.everyone);
    await as.owner.post(`/tunnels/${shared.id}/join`);
    expect(await heard("tunnel:changed", shared.id)).toEqual({ admin: true, owner: true, member: true, outsider: false });
    await as.member.delete(`/tunnels/${shared.id}`);
    await as.outsider.delete(`/tunnels/${other.id}`);
  });

  it("request:new goes to approvers only; request:resolved to approvers and the requester", async () => {
    const request = await tunnelOf("member", hosts.approval);
    expect(await heard("request:new", request.id)).toEqual({ admin: true, owner: true, member: false, outsider: false });
    await as.owner.post(`/tunnels/${request.id}/deny`, { reason: "use the replica" });
    expect(await heard("request:resolved", request.id)).toEqual({ admin: true, owner: true, member: true, outsider: false });
  });

  it("audit:new goes to admins only", async () => {
    const before = Object.fromEntries(
      (["admin", "owner", "member", "outsider"] as const).map((a) => [a, received[a].filter((r) => r.event === "audit:new").length]),
    );
    await as.member.post("/tunnels", { kind: "local", hostId: hosts.otherTeam, listen: { port: 20000 }, target: { host: "127.0.0.1", port: 1 } });
    await tunnelOf("member", hosts.team).then((t) => as.member.delete(`/tunnels/${t.id}`));
    await waitFor(
      async () => received.admin.filter((r) => r.event === "audit:new").length,
      (n) => n > before.admin!,
      10_000,
      "audit:new",
    );
    for (const actor of ["owner", "member", "outsider"] as const) expect(received[actor].filter((r) => r.event === "audit:new").length).toBe(before[actor]);
  });

  it("follows team membership at once: an invited member who accepts hears the team's tunnels, one removed no longer does", async () => {
    await as.admin.post("/users", { email: "newcomer@example.com", password });
    const token = await warren.createToken("newcomer@example.com");
    const socket = io(warren.url, { auth: { token }, transports: ["websocket"], reconnection: false });
    const events: string[] = [];
    socket.on("tunnel:status", (event: { tunnelId: string }) => events.push(event.tunnelId));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const newcomerId = (await as.admin.get<{ users: { id: string; email: string }[] }>("/users")).body.users.find(
      (u) => u.email === "newcomer@example.com",
    )!.id;
    try {
      const invited = await as.owner.post<{ invitations: { id: string; email: string }[] }>(`/teams/${teamId}/members`, { email: "newcomer@example.com" });
      const invitation = invited.body.invitations.find((i) => i.email === "newcomer@example.com")!;
      expect((await apiClient(warren.url, token).post(`/teams/${teamId}/invitations/${invitation.id}/accept`)).status).toBe(200);
      const while_in = await tunnelOf("member", hosts.team, { teamId });
      await as.member.delete(`/tunnels/${while_in.id}`);
      await heard("tunnel:status", while_in.id);
      expect(events).toContain(while_in.id);

      await as.owner.delete(`/teams/${teamId}/members/${newcomerId}`);
      const after = await tunnelOf("member", hosts.team, { teamId });
      await as.member.delete(`/tunnels/${after.id}`);
      await heard("tunnel:status", after.id);
      expect(events).not.toContain(after.id);
    } finally {
      socket.close();
    }
  });

  it("ignores events sent by clients, and keeps serving them", async () => {
    sockets.outsider.emit("tunnel:status", { tunnelId: "x", status: "closed" });
    sockets.outsider.emit("join", `user:${userIds.member}`);
    const shared = await tunnelOf("member", hosts.team, { teamId });
    await as.member.delete(`/tunnels/${shared.id}`);
    expect((await heard("tunnel:status", shared.id)).outsider).toBe(false);
    expect(sockets.outsider.connected).toBe(true);
  });
});
