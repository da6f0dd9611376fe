// A host test's checks and how they read: shared by the test itself (which
// keeps the last outcome on the host) and the hosts page that shows it.
import type { SshStep } from "@/lib/ssh/ssh-connect";

export type HostCheck = { step: SshStep | "forwarding"; ok: boolean; message: string };
export type HostTestResult = { ok: boolean; checks: HostCheck[] };

/** Each step's name, in the order a test takes them. */
export const CHECK_STEPS: Record<HostCheck["step"], string> = {
  network: "Network",
  handshake: "SSH handshake",
  "host-key": "Host key",
  authentication: "Authentication",
  forwarding: "TCP forwarding",
};

/** "all 5 checks passed", or the step that failed and why: "Authentication: …". */
export function testOutcome(result: HostTestResult): string {
  if (result.ok) return `all ${result.checks.length} checks passed`;
  const failed = result.checks.find((check) => !check.ok);
  return failed ? `${CHECK_STEPS[failed.step]}: ${failed.message}` : "a check failed";
}
