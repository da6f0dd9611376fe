// The laptop port `connect` listens on for each tunnel, kept in
// ~/.config/warren/ports.json (beside the credentials), so that a tunnel is
// at the same local port every time unless --port says otherwise.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { credentialsPath, type Env } from "./credentials";

const portsPath = (env: Env) => join(dirname(credentialsPath(env)), "ports.json");
const keyOf = (warren: URL, tunnelId: string) => `${warren.href} ${tunnelId}`;

function readPorts(env: Env): Record<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(portsPath(env), "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, number>) : {};
  } catch {
    return {};
  }
}

export function rememberedPort(env: Env, warren: URL, tunnelId: string): number | undefined {
  const port = readPorts(env)[keyOf(warren, tunnelId)];
  return port !== undefined && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** Best effort: a laptop whose config folder cannot be written still connects, at a new port next time. */
export function rememberPort(env: Env, warren: URL, tunnelId: string, port: number) {
  const path = portsPath(env);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${JSON.stringify({ ...readPorts(env), [keyOf(warren, tunnelId)]: port }, null, 2)}\n`, { mode: 0o600 });
  } catch {
    // nothing to do: the port is printed either way
  }
}
