// Warren as the bench drives it: a real server process (production build),
// one admin user with an API token, hosts and tunnels through the public API.
import { connectSsh } from "@/lib/ssh/ssh-connect";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import type { SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";
import type { Kind } from "./results.ts";

export type BenchWarren = { handle: WarrenHandle; pid: number; api: ApiClient; token: string; email: string; password: string };

export type TunnelSpec = { hostId: string; kind: Kind; listen: { address: string; port: number }; target?: { host: string; port: number } };

/** BENCH_WARREN_NODE_OPTIONS reaches Warren's node alone, e.g. "--perf-basic-prof" for `perf record -p <pid>`
 *  (Node 20 refuses --cpu-prof in NODE_OPTIONS: "not allowed"). */
export async function startBenchWarren(env: Record<string, string> = {}): Promise<BenchWarren> {
  const nodeOptions = process.env.BENCH_WARREN_NODE_OPTIONS;
  const handle = await startWarren({ env: { ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) } });
  if (handle.pid === undefined) throw new Error("Warren has no pid");
  const email = "bench@example.com";
  const password = "bench bench bench";
  await handle.createUser({ email, password, admin: true });
  const token = await handle.createToken(email);
  return { handle, pid: handle.pid, api: apiClient(handle.url, token), token, email, password };
}

export async function addHost(api: ApiClient, sshd: SshdHandle, name: string): Promise<string> {
  // Remote tunnels' targets are on the bastion's loopback: the policy names it.
  const policy = { targets: ["127.0.0.0/8"] };
  const response = await api.post<{ id: string }>("/hosts", {
    name,
    address: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    policy,
  });
  if (response.status !== 201) throw new Error(`adding host ${name} failed (${response.status}): ${JSON.stringify(response.body)}`);
  return response.body.id;
}

/** Opens a tunnel and insists it is active when the POST answers, as the API promises. */
export async function openTunnel(api: ApiClient, spec: TunnelSpec): Promise<string> {
  const response = await api.post<{ id: string; status: string }>("/tunnels", spec);
  if (response.status !== 201 || response.body.status !== "active") {
    throw new Error(`opening a ${spec.kind} tunnel on ${spec.listen.port} failed (${response.status}): ${JSON.stringify(response.body)}`);
  }
  return response.body.id;
}

export async function closeTunnel(api: ApiClient, id: string): Promise<void> {
  const response = await api.delete(`/tunnels/${id}`);
  if (response.status !== 200) throw new Error(`closing tunnel ${id} failed (${response.status}): ${JSON.stringify(response.body)}`);
}

/** The cipher Warren's ssh2 negotiates with `sshd`: the same connect code and options Warren's host links use. */
export async function warrenCipher(sshd: SshdHandle): Promise<string> {
  const { client, cipher } = await connectSsh({
    name: "cipher-probe",
    address: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    expectedFingerprint: sshd.hostKeyFingerprint,
  });
  client.end();
  return cipher;
}
