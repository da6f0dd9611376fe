// OpenSSH's own `ssh -N -L/-R/-D` through the bench's sshd: the reference
// Warren is measured against.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { waitForPort } from "@/tests/harness/free-port";
import type { SshdHandle } from "@/tests/harness/sshd";

export const SAME_CIPHER = "aes128-gcm@openssh.com";

export type Forwarder = { pid: number; stop(): Promise<void> };

/** `ssh` arguments for `sshd` with `options` placed before the destination, which must come last. */
function sshArgs(sshd: SshdHandle, options: string[]): string[] {
  const base = sshd.sshArgs();
  return [...options, ...base.slice(0, -1), base.at(-1)!];
}

/** Starts `ssh -N` with the given forwards; resolves once every one of `readyPorts` accepts connections. */
export async function startForwarder(sshd: SshdHandle, forwards: string[], cipher: string | null, readyPorts: number[]): Promise<Forwarder> {
  const options = ["-N", "-o", "ExitOnForwardFailure=yes", ...(cipher ? ["-c", cipher] : []), ...forwards];
  const child = spawn("ssh", sshArgs(sshd, options), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  try {
    const ready = Promise.all(readyPorts.map((port) => waitForPort(port)));
    await Promise.race([ready, exited.then(() => Promise.reject(new Error(`ssh ${forwards.join(" ")} exited: ${stderr}`)))]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, stop };
}

/** The cipher `ssh` ends up with against `sshd`, from its own debug log. */
export async function negotiatedCipher(sshd: SshdHandle, cipher: string | null): Promise<string> {
  // The first LogLevel given wins, so this one beats sshArgs()'s ERROR.
  const options = ["-o", "LogLevel=DEBUG1", ...(cipher ? ["-c", cipher] : [])];
  const { stderr } = await promisify(execFile)("ssh", [...sshArgs(sshd, options), "true"]);
  const match = /kex: server->client cipher: (\S+)/.exec(stderr);
  if (!match) throw new Error(`ssh did not report its cipher:\n${stderr}`);
  return match[1]!;
}
