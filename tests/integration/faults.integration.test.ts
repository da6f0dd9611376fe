// Hosts that misbehave below SSH: one accepts TCP and never speaks, one
// sends its banner and stalls. Warren must time out with a reason a person
// understands, and leave no listener behind.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair } from "@/lib/ssh/ssh-keys";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange } from "@/tests/harness/free-port";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

// A throwaway key, made here: these hosts never get as far as authentication.
const KEY = generateKeyPair("faults").privateKey;

let warren: WarrenHandle;
let admin: ApiClient;
const servers: net.Server[] = [];

async function misbehavingHost(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password: "correct horse battery", admin: true });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
});

afterAll(async () => {
  for (const server of servers) server.close();
  await warren?.dispose();
});

type Check = { step: string; ok: boolean; message: string };

describe("a host that never completes the SSH handshake", () => {
  it.each([
    ["accepts TCP and never speaks", () => {}],
    ["sends its banner and stalls", (socket: net.Socket) => socket.write("SSH-2.0-OpenSSH_9.2p1 Debian\r\n")],
  ])("%s: the test names the handshake, a tunnel fails with the reason and frees its port", async (name, behave) => {
    const port = await misbehavingHost(behave);
    const host = (await admin.post<{ id: string }>("/hosts", { name: `silent-${port}`, address: "127.0.0.1", port, username: "root", privateKey: KEY })).body;
    const expected = `silent-${port} (127.0.0.1:${port}) accepted the connection but did not complete the SSH handshake within`;

    const test = await admin.post<{ ok: boolean; checks: Check[] }>(`/hosts/${host.id}/test`);
    expect(test.body.ok).toBe(false);
    expect(test.body.checks.at(-1)).toMatchObject({ step: "handshake", ok: false });
    expect(test.body.checks.at(-1)!.message).toContain(expected);

    const listenPort = await freePortInRange();
    const tunnel = await admin.post<{ status: string; statusReason: string }>("/tunnels", { hostId: host.id, kind: "dynamic", listen: { port: listenPort } });
    expect(tunnel.status).toBe(201);
    expect(tunnel.body.status).toBe("failed");
    expect(tunnel.body.statusReason).toContain(expected);
    const freed = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ host: "127.0.0.1", port: listenPort });
      probe.once("connect", () => resolve(false));
      probe.once("error", () => resolve(true));
    });
    expect(freed).toBe(true);
    expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(200);
  }, 60_000);
});
