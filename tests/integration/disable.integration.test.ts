// Disabling a user cuts everything at once: sessions, API tokens, live
// sockets (told why), and their tunnels with the connections inside them,
// whether an admin does it through the API or the operator through the CLI;
// and their places on other people's shared tunnels, with their connections.
import net from "node:net";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { echoing, startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { signInCookie } from "@/tests/harness/sign-in";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; status: string; statusReason: string | null };

let sshd: SshdHandle;
let echo: TcpServer;
let warren: WarrenHandle;
let admin: ApiClient;
let hostId: string;
const password = "correct horse battery";

beforeAll(async () => {
  [sshd, echo] = await Promise.all([startSshd(), startEchoServer()]);
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  hostId = (
    await admin.post<{ id: string }>("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
  ).body.id;
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), echo?.close()]);
});

/** A user with a token, a browser session, a socket, and a tunnel carrying an open connection. */
async function busyUser(email: string) {
  await warren.createUser({ email, password });
  const token = await warren.createToken(email);
  const cookie = await signInCookie(warren.url, email, password);
  const client = apiClient(warren.url, token);
  const port = await freePortInRange();
  const tunnel = (await client.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: echo.port } })).body;
  const connection = net.connect({ host: "127.0.0.1", port });
  connection.on("error", () => {});
  await new Promise((resolve) => connection.once("connect", resolve));
  const socket: Socket = io(warren.url, { extraHeaders: { cookie, origin: warren.url }, transports: ["websocket"], reconnection: false });
  const ended = new Promise<string>((resolve) => socket.once("session:ended", (event: { reason: string }) => resolve(event.reason)));
  const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const connectionClosed = new Promise((resolve) => connection.once("close", resolve));
  return { token, cookie, client, tunnel, port, ended, disconnected, connectionClosed, socket };
}

async function expectCutOff(user: Awaited<ReturnType<typeof busyUser>>, email: string) {
  expect(await user.ended).toBe("your session has ended");
  expect(await user.disconnected).toBe("io server disconnect");
  await user.connectionClosed;
  const tunnel = await waitFor(
    () => admin.get<Tunnel>(`/tunnels/${user.tunnel.id}`).then((r) => r.body),
    (t) => t.status === "closed",
    10_000,
    "tunnel closed",
  );
  expect(tunnel.statusReason).toBe(`its owner ${email} was disabled`);
  expect((await user.client.get("/me")).status).toBe(401);
  expect((await fetch(`${warren.url}/api/v1/me`, { headers: { cookie: user.cookie } })).status).toBe(401);
  const refused = await new Promise<boolean>((resolve) => {
    const probe = net.connect({ host: "127.0.0.1", port: user.port });
    probe.once("connect", () => resolve(false));
    probe.once("error", () => resolve(true));
  });
  expect(refused).toBe(true);
  const audit = await admin.get<{ events: { action: string }[] }>(`/audit?tunnelId=${user.tunnel.id}&action=tunnel.closed`);
  expect(audit.body.events).toHaveLength(1);
}

describe("disabling a user", () => {
  it("through the API cuts their session, token, socket and tunnels", async () => {
    const alice = await busyUser("alice@example.com");
    const users = await admin.get<{ users: { id: string; email: string }[] }>("/users");
    const id = users.body.users.find((user) => user.email === "alice@example.com")!.id;
    expect((await alice.client.patch(`/users/${id}`, { disabled: true })).status).toBe(403);
    const response = await admin.patch<{ disabled: boolean }>(`/users/${id}`, { disabled: true });
    expect(response.body.disabled).toBe(true);
    // In Warren's own process the tunnel is closed before the answer.
    expect((await admin.get<Tunnel>(`/tunnels/${alice.tunnel.id}`)).body.status).toBe("closed");
    await expectCutOff(alice, "alice@example.com");
    alice.socket.close();
  });

  it("through the CLI does the same within seconds", async () => {
    const bob = await busyUser("bob@example.com");
    expect((await warren.cli(["user", "disable", "--email", "bob@example.com"])).code).toBe(0);
    await expectCutOff(bob, "bob@example.com");
    bob.socket.close();
  });

  describe("a participant of someone else's shared tunnel", () => {
    let teamId: string;
    let owner: ApiClient;

    beforeAll(async () => {
      await warren.createUser({ email: "carol@example.com", password });
      owner = apiClient(warren.url, await warren.createToken("carol@example.com"));
      teamId = (await admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "carol@example.com" })).body.id;
    });

    /** Joins carol's tunnel (which admits only 127.0.0.2 by itself) and holds a connection open through it. */
    async function joinedParticipant(email: string) {
      await warren.createUser({ email, password });
      expect((await admin.post(`/teams/${teamId}/members`, { email })).status).toBe(201);
      const client = apiClient(warren.url, await warren.createToken(email));
      const port = await freePortInRange();
      const tunnel = (
        await owner.post<Tunnel>("/tunnels", {
          hostId,
          kind: "local",
          listen: { port },
          target: { host: "127.0.0.1", port: echo.port },
          teamId,
          allowedSources: ["127.0.0.2/32"],
        })
      ).body;
      expect((await client.post(`/tunnels/${tunnel.id}/join`)).status).toBe(200);
      const connection = await echoing(port);
      expect(connection).not.toBeNull();
      const cut = new Promise((resolve, reject) => {
        connection!.once("close", resolve);
        setTimeout(() => reject(new Error(`${email}'s connection through the shared tunnel is still open`)), 20_000).unref();
      });
      cut.catch(() => {}); // awaited by the test; a failure before that is reported there
      return { tunnel, port, cut };
    }

    async function expectParticipationGone({ tunnel, port, cut }: Awaited<ReturnType<typeof joinedParticipant>>, email: string) {
      await cut;
      expect(await echoing(port)).toBeNull();
      const after = (await admin.get<Tunnel & { allowedSources: string[]; participants: unknown[] }>(`/tunnels/${tunnel.id}`)).body;
      expect({ status: after.status, allowedSources: after.allowedSources, participants: after.participants }).toEqual({
        status: "active",
        allowedSources: ["127.0.0.2/32"],
        participants: [],
      });
      const audit = await admin.get<{ events: { action: string; details: { email: string; why: string } }[] }>(
        `/audit?tunnelId=${tunnel.id}&action=tunnel.participant_removed`,
      );
      expect(audit.body.events.map((e) => e.details)).toEqual([expect.objectContaining({ email, why: `${email} was disabled` })]);
      await owner.delete(`/tunnels/${tunnel.id}`);
    }

    it("loses it through the API at once: connection cut, address taken out, audited", async () => {
      const dave = await joinedParticipant("dave@example.com");
      const users = await admin.get<{ users: { id: string; email: string }[] }>("/users");
      await admin.patch(`/users/${users.body.users.find((user) => user.email === "dave@example.com")!.id}`, { disabled: true });
      // Before the answer, in Warren's own process.
      expect((await admin.get<{ participants: unknown[] }>(`/tunnels/${dave.tunnel.id}`)).body.participants).toEqual([]);
      await expectParticipationGone(dave, "dave@example.com");
    });

    it("loses it through the CLI within seconds", async () => {
      const erin = await joinedParticipant("erin@example.com");
      expect((await warren.cli(["user", "disable", "--email", "erin@example.com"])).code).toBe(0);
      await expectParticipationGone(erin, "erin@example.com");
    });
  });

  it("refuses anything but disabled: true or false, naming the field", async () => {
    const users = await admin.get<{ users: { id: string; email: string }[] }>("/users");
    const id = users.body.users.find((user) => user.email === "admin@example.com")!.id;
    const response = await admin.patch<{ error: { field: string; message: string } }>(`/users/${id}`, { disabled: "no" });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ field: "disabled", message: "disabled: must be true (disable) or false (enable again)" });
  });

  it("enables a disabled user again, by the API or the CLI: their token works again and the audit says who did it", async () => {
    for (const [email, how] of [
      ["fay@example.com", "api"],
      ["gus@example.com", "cli"],
    ] as const) {
      await warren.createUser({ email, password });
      const token = await warren.createToken(email);
      const them = apiClient(warren.url, token);
      const users = await admin.get<{ users: { id: string; email: string }[] }>("/users");
      const id = users.body.users.find((user) => user.email === email)!.id;
      expect((await admin.patch(`/users/${id}`, { disabled: true })).status).toBe(200);
      expect((await them.get("/tunnels")).status).toBe(401);
      if (how === "api") {
        const enabled = await admin.patch<{ disabled: boolean }>(`/users/${id}`, { disabled: false });
        expect([enabled.status, enabled.body.disabled]).toEqual([200, false]);
      } else {
        const run = await warren.cli(["user", "enable", "--email", email]);
        expect([run.code, run.stdout.trim()]).toEqual([0, `enabled ${email}: they may sign in again, and their API tokens work again`]);
      }
      expect((await them.get("/tunnels")).status).toBe(200);
      const audit = await admin.get<{ events: { action: string; subjectId: string | null }[] }>(`/audit?action=user.enabled`);
      expect(audit.body.events.some((event) => event.subjectId === id)).toBe(true);
    }
  });
});
