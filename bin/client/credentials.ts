// Where `login` keeps what it received: Warren's URL and a device token, in
// ~/.config/warren/credentials.json ($XDG_CONFIG_HOME if set), readable by
// its owner only.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ClientError } from "./client-error";

export type Credentials = { url: string; token: string };
/** The environment the client reads (process.env, or a test's). */
export type Env = Readonly<Record<string, string | undefined>>;

export function credentialsPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "warren", "credentials.json");
}

export function readCredentials(env: Env = process.env): Credentials | null {
  const path = credentialsPath(env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ClientError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = JSON.parse(text) as Partial<Credentials>;
  if (typeof parsed.url !== "string" || typeof parsed.token !== "string") throw new ClientError(`${path} is not a Warren credentials file: log in again`);
  return { url: parsed.url, token: parsed.token };
}

export function writeCredentials(credentials: Credentials, env: Env = process.env): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its mode on write
  return path;
}

export function removeCredentials(env: Env = process.env): boolean {
  const path = credentialsPath(env);
  try {
    rmSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
