// The child of runtime-probe.ts: one tunnel runtime over one ssh2 connection,
// in a process of its own, without Next.js, the database or the worker.
// Arguments: kind, sshd port, user, key file, listen port, target port.
import { readFileSync } from "node:fs";
import { connectSsh } from "@/lib/ssh/ssh-connect";
import { hostPolicySchema } from "@/lib/validation/host-policy";
import type { RuntimeTunnel } from "@/server/tunnels/data-plane-protocol";
import { ChannelPool } from "@/server/tunnels/channel-pool";
import { TunnelRuntime } from "@/server/tunnels/tunnel-runtime";

const [kind, sshPort, username, keyPath, listenPort, targetPort] = process.argv.slice(2) as [RuntimeTunnel["kind"], string, string, string, string, string];
const { client } = await connectSsh({
  name: "probe",
  address: "127.0.0.1",
  port: Number(sshPort),
  username,
  privateKey: readFileSync(keyPath, "utf8"),
  expectedFingerprint: null,
});
const policy = hostPolicySchema.parse({
  kinds: ["local", "remote", "dynamic"],
  targets: ["127.0.0.0/8"],
  ports: ["1-65535"],
  publicBinds: false,
  anySource: true,
  approval: false,
  defaultTtlMinutes: 60,
  maxTtlMinutes: 60,
});
const tunnel: RuntimeTunnel = {
  ...{ id: "probe", kind, ownerId: "probe", ownerEmail: "probe@example.com", teamId: null, hostId: "probe", hostName: "probe", hostAddress: "127.0.0.1" },
  ...{
    listenAddress: "127.0.0.1",
    listenPort: Number(listenPort),
    targetHost: "127.0.0.1",
    targetPort: Number(targetPort),
    targetClient: false,
    allowedSources: [],
    policy,
    expiresAt: new Date(Date.now() + 3_600_000),
    idleMinutes: null,
  },
};
const runtime = new TunnelRuntime(
  tunnel,
  {
    connectionOpened() {},
    connectionClosed() {},
    connectionRefused() {},
    refusingNew: () => null,
    relayToClient: () => {
      throw new Error("the probe has no warren expose client");
    },
  },
  { bytesIn: 0, bytesOut: 0, connectionsTotal: 0 },
  ChannelPool.of(client),
);
client.on("tcp connection", (info, accept, reject) => runtime.acceptRemote(info, accept, reject));
await runtime.listen();
await runtime.attach(client);
console.log("ready");
process.on("SIGTERM", () => process.exit(0));
