// A raw SOCKS5 CONNECT for tests: greeting and request in one write, then
// everything the proxy sends until it ends. Unlike the `socks` client package,
// it keeps the bytes that arrive in the same segment as the proxy's reply.
import net from "node:net";

function request(host: string, port: number): Buffer {
  const portBytes = Buffer.from([port >> 8, port & 0xff]);
  if (net.isIPv4(host)) return Buffer.concat([Buffer.from([5, 1, 0, 1, ...host.split(".").map(Number)]), portBytes]);
  const name = Buffer.from(host);
  return Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, portBytes]);
}

export type SocksFetch = { reply: number; body: Buffer };

/** `reply` is the SOCKS5 reply code (0 succeeded); `body` what followed it. */
export function socksFetch(proxyPort: number, host: string, port: number, proxyHost = "127.0.0.1"): Promise<SocksFetch> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxyHost, port: proxyPort });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.once("error", reject);
    socket.once("close", () => {
      const all = Buffer.concat(chunks);
      if (all.length < 2 || all[0] !== 5 || all[1] !== 0) return reject(new Error(`SOCKS greeting refused: ${all.toString("hex")}`));
      const replyStart = 2;
      const addressLength = { 1: 4, 4: 16 }[all[replyStart + 3] ?? 1] ?? 1 + (all[replyStart + 4] ?? 0);
      resolve({ reply: all[replyStart + 1] ?? -1, body: all.subarray(replyStart + 4 + addressLength + 2) });
    });
    socket.write(Buffer.concat([Buffer.from([5, 1, 0]), request(host, port)]));
  });
}
