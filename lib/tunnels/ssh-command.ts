// The OpenSSH command equivalent to a tunnel, as people would type it. The
// new port is always the left side of the spec (seed article's mnemonic).
import type { TunnelKind } from "@/lib/validation/common";

type Endpoint = { address: string; port: number };
export type SshCommandInput = {
  kind: TunnelKind;
  /** null: no port on the bastion, which OpenSSH has no equivalent for. */
  listen: Endpoint | null;
  /** `client`: the far end is the person's computer, where `ssh -R` itself would run (the service's port is theirs to fill in). */
  target?: { host: string; port: number } | { client: true } | null;
  /** `{ name }` alone for a viewer who may not see the host's address and user: the command names it as an ssh_config alias would. */
  host: { address: string; port: number; username: string } | { name: string };
};

const bracket = (address: string) => (address.includes(":") ? `[${address}]` : address);

/** null for a tunnel with no port on the bastion: it is used through `warren connect` only. */
export function sshCommand({ kind, listen, target, host }: SshCommandInput): string | null {
  if (!listen) return null;
  const left = `${bracket(listen.address)}:${listen.port}`;
  const right = !target ? null : "client" in target ? "localhost:PORT" : `${bracket(target.host)}:${target.port}`;
  const spec = kind === "dynamic" || !right ? left : `${left}:${right}`;
  const flag = { local: "-L", remote: "-R", dynamic: "-D" }[kind];
  if (!("address" in host)) return `ssh -N ${flag} ${spec} ${host.name}`;
  const port = host.port === 22 ? "" : ` -p ${host.port}`;
  return `ssh -N ${flag} ${spec}${port} ${host.username}@${host.address}`;
}
