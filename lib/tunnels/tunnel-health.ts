// How a running tunnel is doing beyond its status: a tunnel whose target
// refuses every connection is up, but not well. Derived from its recent
// connection records, so the detail page and its badge say the same thing.

/** Failed connections in a row, with none succeeding since, that make an active tunnel degraded. */
export const DEGRADED_AFTER = 3;

type Recorded = { closedAt: string | null; error: string | null };

/** A connection a person cut, or one the tunnel's own rules refused, says nothing about the target. */
const notTheTarget = (error: string) => error.startsWith("closed by ") || error.startsWith("refused");

/** Why an active tunnel is degraded (the latest failure, in words), or null
 *  when it is not: its last DEGRADED_AFTER finished connections, newest first, all failed. */
export function degradedReason(status: string, connections: Recorded[]): string | null {
  if (status !== "active") return null;
  const finished = connections.filter((c) => c.closedAt !== null && !(c.error && notTheTarget(c.error))).slice(0, DEGRADED_AFTER);
  if (finished.length < DEGRADED_AFTER || finished.some((c) => !c.error)) return null;
  return finished[0]!.error;
}

export type HopState = "ok" | "warn" | "down" | "idle";
export type Hop = { id: "listener" | "link" | "target"; label: string; state: HopState; text: string };

type HopInput = {
  status: string;
  statusReason: string | null;
  kind: "local" | "remote" | "dynamic";
  hostName: string;
  /** Where it listens, in words; null: no port on the bastion (warren connect, a web app). */
  listenAt: string | null;
  target: string;
  degraded: string | null;
};

/** Each hop of an open tunnel's path and its state now, in words: its listener, its SSH link, its target. */
export function tunnelHops({ status, statusReason, kind, hostName, listenAt, target, degraded }: HopInput): Hop[] {
  const up = status === "active";
  const reconnecting = status === "reconnecting";
  const where = kind === "remote" ? hostName : "the bastion";
  const listener: Hop = {
    id: "listener",
    label: "Listener",
    state: up || reconnecting ? "ok" : "idle",
    text: listenAt
      ? `${up || reconnecting ? "listening" : "not listening"} on ${listenAt} (${where})`
      : "no port: reached through Warren (warren connect or the browser)",
  };
  const link: Hop = {
    id: "link",
    label: `SSH link to ${hostName}`,
    state: up ? "ok" : reconnecting ? "warn" : "down",
    text: up ? "connected" : reconnecting ? `reconnecting${statusReason ? `: ${statusReason}` : ""}` : status === "starting" ? "connecting" : "down",
  };
  const targetHop: Hop = {
    id: "target",
    label: `Target ${target}`,
    state: !up ? "idle" : degraded ? "down" : "ok",
    text: !up ? "not reachable while the SSH link is down" : degraded ? `unreachable: ${degraded}` : "reachable (no recent failures)",
  };
  return [listener, link, targetHop];
}
