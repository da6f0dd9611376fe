import { describe, expect, it } from "vitest";
import { sshCommand } from "@/lib/tunnels/ssh-command";

const host = { address: "bastion.example.com", port: 22, username: "root" };

describe("sshCommand", () => {
  it("has no OpenSSH equivalent for a tunnel with no port on the bastion", () => {
    expect(sshCommand({ kind: "local", listen: null, target: { host: "localhost", port: 80 }, host })).toBeNull();
  });

  it("renders the seed's labs", () => {
    expect(sshCommand({ kind: "local", listen: { address: "127.0.0.1", port: 8080 }, target: { host: "localhost", port: 80 }, host })).toBe(
      "ssh -N -L 127.0.0.1:8080:localhost:80 root@bastion.example.com",
    );
    expect(
      sshCommand({ kind: "remote", listen: { address: "0.0.0.0", port: 8080 }, target: { host: "10.0.0.7", port: 80 }, host: { ...host, port: 2222 } }),
    ).toBe("ssh -N -R 0.0.0.0:8080:10.0.0.7:80 -p 2222 root@bastion.example.com");
    expect(sshCommand({ kind: "dynamic", listen: { address: "127.0.0.1", port: 20002 }, host })).toBe("ssh -N -D 127.0.0.1:20002 root@bastion.example.com");
  });

  it("runs ssh -R on the person's own computer for a remote tunnel to it, its service's port left to fill in", () => {
    expect(sshCommand({ kind: "remote", listen: { address: "0.0.0.0", port: 8080 }, target: { client: true }, host: { name: "gw" } })).toBe(
      "ssh -N -R 0.0.0.0:8080:localhost:PORT gw",
    );
  });

  it("brackets IPv6 addresses", () => {
    expect(sshCommand({ kind: "local", listen: { address: "::1", port: 20001 }, target: { host: "fd00::5", port: 5432 }, host })).toBe(
      "ssh -N -L [::1]:20001:[fd00::5]:5432 root@bastion.example.com",
    );
  });

  it("names a host by name alone for viewers who may not see its address", () => {
    expect(sshCommand({ kind: "local", listen: { address: "127.0.0.1", port: 8080 }, target: { host: "db", port: 5432 }, host: { name: "payments-1" } })).toBe(
      "ssh -N -L 127.0.0.1:8080:db:5432 payments-1",
    );
  });
});
