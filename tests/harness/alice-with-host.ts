// The people of a topology test: an admin who adds the sshd as a host (as the
// bastion reaches it, its key pinned), and Alice, who opens tunnels through it.
import { apiClient, type ApiClient } from "./api-client";
import { hostInput, type SshdHandle } from "./sshd";
import type { WarrenHandle } from "./warren";

const password = "correct horse battery";

/** `host`: its name, the address the bastion reaches it at, and any other field of POST /hosts. */
export async function aliceWithHost(
  warren: WarrenHandle,
  sshd: SshdHandle,
  host: { name: string; address: string } & Record<string, unknown>,
): Promise<{ alice: ApiClient; aliceToken: string; hostId: string }> {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const aliceToken = await warren.createToken("alice@example.com");
  const created = await admin.post<{ id: string }>("/hosts", { ...hostInput(sshd), ...host });
  if (created.status !== 201) throw new Error(`POST /hosts answered ${created.status}: ${JSON.stringify(created.body)}`);
  return { alice: apiClient(warren.url, aliceToken), aliceToken, hostId: created.body.id };
}
