// The first-run page creates an admin for whoever reaches it first. On a
// loopback address that is the operator; on an address others can reach,
// /setup also asks for a one-time code that Warren writes into its data
// directory (mode 0600) at its first start, so that only someone who can read
// the bastion's files becomes admin. The log says where the code is, never
// what it is.
import { timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { WarrenConfig } from "@/lib/config";
import { groupCode, READABLE_ALPHABET, randomCode } from "@/lib/crypto/random-code";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
const isLoopback = (host: string) => LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith(".localhost");

export function setupCodeFile(config: Pick<WarrenConfig, "dataDir">): string {
  return path.join(config.dataDir, "setup-code");
}

/** Whether people other than the bastion's own may reach Warren: it listens, or says it is reached, beyond loopback. */
export function setupCodeNeeded(config: Pick<WarrenConfig, "host" | "publicUrl">): boolean {
  return !isLoopback(config.host) || !isLoopback(new URL(config.publicUrl).hostname);
}

/** At start, while Warren has no user: writes the code if it is needed and missing, and returns the line to log. */
export function prepareSetupCode(config: WarrenConfig): string | null {
  if (!setupCodeNeeded(config)) return null;
  const file = setupCodeFile(config);
  // 100 random bits in four groups of five letters and digits, easy to read and type.
  if (!existsSync(file)) writeFileSync(file, `${groupCode(randomCode(READABLE_ALPHABET, 20), 5)}\n`, { mode: 0o600, flag: "wx" });
  return `warren: no admin yet: the first-run page ${config.publicUrl}/setup asks for the setup code in ${file}`;
}

/** Whether `given` is the code in the file, compared in constant time, ignoring case, spaces and dashes. */
export function setupCodeMatches(config: Pick<WarrenConfig, "dataDir">, given: string | undefined): boolean {
  const normal = (code: string) => Buffer.from(code.toUpperCase().replace(/[\s-]/g, ""));
  const file = setupCodeFile(config);
  if (!given || !existsSync(file)) return false;
  const expected = normal(readFileSync(file, "utf8"));
  const actual = normal(given);
  return expected.length > 0 && expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Spent once the first admin exists. */
export function removeSetupCode(config: Pick<WarrenConfig, "dataDir">) {
  rmSync(setupCodeFile(config), { force: true });
}
