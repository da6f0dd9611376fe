// The OpenSSH command equivalent to a tunnel, as people would type it. The
// new port is always the left side of the spec (seed article's mnemonic).

type Endpoint = { address: string; port: number };
export type SshCommandInput = {
  kind: "local" | "remote" | "dynamic";
  listen: Endpoint;
  target?: { host: string; port: number } | null;
  host: { address: string; port: number; username: string };
};

const bracket = (address: string) => (address.includes(":") ? `[${address}]` : address);

export function sshCommand({ kind, listen, target, host }: SshCommandInput): string {
  const left = `${bracket(listen.address)}:${listen.port}`;
  const spec = kind === "dynamic" || !target ? left : `${left}:${bracket(target.host)}:${target.port}`;
  const flag = { local: "-L", remote: "-R", dynamic: "-D" }[kind];
  const port = host.port === 22 ? "" : ` -p ${host.port}`;
  return `ssh -N ${flag} ${spec}${port} ${host.username}@${host.address}`;
}
