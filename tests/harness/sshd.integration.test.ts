import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import type { Readable } from "node:stream";
import { Client, utils, type ConnectConfig } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitForPort } from "./free-port.ts";
import { fetchAll, startOrigin, type Origin } from "./origin.ts";
import { startSshd, type SshdHandle } from "./sshd.ts";

let sshd: SshdHandle;
let origin: Origin;
const clients = new Set<Client>();

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin()]);
});

afterAll(async () => {
  for (const client of clients) client.end();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

/** OpenSSH-style fingerprint of a raw host key blob: SHA256, base64 without padding. */
function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** Connects with the harness user key; resolves with the host key fingerprint ssh2 saw. */
function connect(overrides: Partial<ConnectConfig> = {}): Promise<{ client: Client; fingerprint: string }> {
  const client = new Client();
  clients.add(client);
  let fingerprint = "";
  return new Promise((resolve, reject) => {
    client.once("ready", () => resolve({ client, fingerprint }));
    // Kept for the client's lifetime: an 'error' without a listener would crash the run.
    client.on("error", reject);
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        fingerprint = fingerprintOf(key);
        return fingerprint === sshd.hostKeyFingerprint;
      },
      ...overrides,
    });
  });
}

/** Resolves when the client's connection is gone; an 'error' (ECONNRESET) may precede it. */
function closed(client: Client): Promise<void> {
  return new Promise((resolve) => client.once("close", () => resolve()));
}

function exec(client: Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let output = "";
      stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
      stream.stderr.resume();
      stream.once("close", () => resolve(output));
    });
  });
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

describe("sshd harness", () => {
  it("logs in with the harness key, verifies the host key and runs a command", async () => {
    const { client, fingerprint } = await connect();
    expect(fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(await exec(client, "echo hello")).toBe("hello\n");
    client.end();
  });

  it("carries the origin payload over forwardOut (ssh -L style)", async () => {
    const { client } = await connect();
    const channel = await new Promise<Readable>((resolve, reject) =>
      client.forwardOut("127.0.0.1", 0, origin.host, origin.port, (error, stream) => (error ? reject(error) : resolve(stream))),
    );
    const received = await readAll(channel);
    expect(received.length).toBe(origin.payload.length);
    expect(sha256(received)).toBe(origin.sha256);
    client.end();
  });

  it("carries the origin payload over forwardIn (ssh -R style)", async () => {
    const { client } = await connect();
    const port = await freePort();
    const announcedPorts: number[] = [];
    client.on("tcp connection", (info, accept) => {
      announcedPorts.push(info.destPort);
      const channel = accept();
      const upstream = net.connect({ host: origin.host, port: origin.port });
      upstream.on("error", () => channel.destroy());
      channel.on("error", () => upstream.destroy());
      upstream.pipe(channel).pipe(upstream);
    });
    await new Promise<void>((resolve, reject) => client.forwardIn("127.0.0.1", port, (error) => (error ? reject(error) : resolve())));
    const received = await fetchAll("127.0.0.1", port);
    expect(sha256(received)).toBe(origin.sha256);
    expect(announcedPorts).toEqual([port]);
    client.end();
  });

  it("lets OpenSSH's ssh -L carry the payload using sshArgs()", async () => {
    const localPort = await freePort();
    const ssh = spawn("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-L", `127.0.0.1:${localPort}:${origin.host}:${origin.port}`, ...sshd.sshArgs()], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    ssh.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(ssh, "exit");
    try {
      await Promise.race([waitForPort(localPort), exited.then(() => Promise.reject(new Error(`ssh exited early: ${stderr}`)))]);
      const received = await fetchAll("127.0.0.1", localPort);
      expect(sha256(received)).toBe(origin.sha256);
    } finally {
      ssh.kill();
      await exited;
    }
  });

  it("rejects a user key that is not authorized", async () => {
    const stranger = utils.generateKeyPairSync("ed25519");
    await expect(connect({ privateKey: stranger.private })).rejects.toMatchObject({
      level: "client-authentication",
    });
  });

  it("drops clients when killed and comes back on the same port with the same keys", async () => {
    const { client } = await connect();
    const dropped = closed(client);
    await sshd.kill();
    await dropped;
    expect(sshd.running).toBe(false);
    await expect(connect()).rejects.toMatchObject({ code: "ECONNREFUSED" });

    const port = sshd.port;
    await sshd.restart();
    expect(sshd.port).toBe(port);
    const again = await connect();
    expect(again.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(await exec(again.client, "echo hello")).toBe("hello\n");

    // stop() is the graceful path (also used by restart() and dispose()).
    const droppedAgain = closed(again.client);
    await sshd.restart();
    await droppedAgain;
    const third = await connect();
    expect(await exec(third.client, "echo hello")).toBe("hello\n");
    third.client.end();
  });
});
