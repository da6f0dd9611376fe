// A TLS front for Warren, as a reverse proxy terminating HTTPS would be: a
// private CA made with openssl, a certificate for `localhost` signed by it,
// and a TLS listener that passes each connection's bytes to Warren's port.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";

export type TlsFront = { url: string; caFile: string; close(): Promise<void> };

/** A CA and a `localhost` (and 127.0.0.1) certificate it signed, in `dir`. */
export function privateCa(dir: string): { key: Buffer; cert: Buffer; caFile: string } {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Warren test CA", "-keyout", file("ca.key"), "-out", file("ca.pem"));
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", file("server.key"), "-out", file("server.csr"));
  writeFileSync(file("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("san.ext"),
    "-out",
    file("server.pem"),
  );
  return { key: readFileSync(file("server.key")), cert: readFileSync(file("server.pem")), caFile: file("ca.pem") };
}

export async function startTlsFront(warrenPort: number): Promise<TlsFront> {
  const dir = mkdtempSync(path.join(tmpdir(), "warren-tls-"));
  const { key, cert, caFile } = privateCa(dir);
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key, cert }, (front) => {
    const back = net.connect({ port: warrenPort, host: "127.0.0.1" });
    for (const socket of [front, back]) {
      sockets.add(socket);
      socket.on("error", () => {
        front.destroy();
        back.destroy();
      });
      socket.once("close", () => sockets.delete(socket));
    }
    front.pipe(back).pipe(front);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://localhost:${(server.address() as net.AddressInfo).port}`,
    caFile,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
