// The seam between Next's bundle (route handlers, actions) and the tunnel
// engine in server/: the engine puts itself on globalThis at start, and lib/
// reaches it only through this interface. The engine runs tunnels; lib decides
// and records their statuses (set-tunnel-status.ts), the engine reporting the
// ones its runtime reaches (active, reconnecting, failed, expired) the same way.
import { ApiError } from "@/lib/api/api-error";
import { processGlobals } from "@/lib/process-globals";
import type { HostPolicy } from "@/lib/validation/host-policy";

/** The engine's write-ahead journal in the data directory (server/tunnels/engine-journal.ts). */
export const ENGINE_JOURNAL_FILE = "engine-journal.jsonl";

export type LiveStats = {
  bytesIn: number;
  bytesOut: number;
  connections: number;
  connectionsTotal: number;
  /** A remote tunnel to its owner's computer: whether a `warren expose` client holds it now (the engine's live view only). */
  clientAttached?: boolean;
  /** ISO time it closes at if nothing goes through it meanwhile (null: no idle limit, or a connection is open). */
  idleClosesAt?: string | null;
};

/** A connection open now through a tunnel, as the data plane carries it; `id` is its record's once it closes. */
export type OpenConnection = {
  id: string;
  source: string;
  destination: string | null;
  bytesIn: number;
  bytesOut: number;
  openedAt: Date;
};

/** A host's SSH link on a node: up (connected), connecting (an attempt under way), waiting (between attempts), down (given up, or closed); best first. */
export const LINK_STATES = ["up", "connecting", "waiting", "down"] as const;
export type LinkState = (typeof LINK_STATES)[number];

export interface TunnelEngineApi {
  /** Opens a tunnel whose row is `starting`; settles after its first attempt
   *  (active or failed). Rejects with TunnelOpenError when the request itself
   *  cannot work (port taken), leaving the row untouched for the caller. */
  open(tunnelId: string): Promise<void>;
  /** Opens an approved tunnel (its row `starting`); any failure becomes its status. */
  openApproved(tunnelId: string): Promise<void>;
  /** Changes an open tunnel's allowed sources (connections from sources no
   *  longer allowed are cut, before it settles), the team its events also go
   *  to, or its host's policy (SOCKS connections to destinations no longer
   *  allowed are cut); answers why the new policy no longer allows the tunnel
   *  as it runs (a public bind its sshd made), if it does not. */
  reconfigure(tunnelId: string, changes: { allowedSources?: string[]; teamId?: string | null; policy?: HostPolicy }): Promise<string | undefined>;
  /** Stops an open tunnel (nothing if it is not open here) and answers its
   *  final counters, for the status change that records its end. */
  close(tunnelId: string): Promise<LiveStats | undefined>;
  live(tunnelId: string): LiveStats | undefined;
  /** The connections open now through a tunnel open here (undefined: it is not open here). */
  connections(tunnelId: string): Promise<OpenConnection[] | undefined>;
  /** Cuts one connection open through a tunnel open here, `reason` becoming
   *  its record's error, and answers it once its record is committed
   *  (undefined: no such open connection here). */
  killConnection(tunnelId: string, connectionId: string, reason: string): Promise<OpenConnection | undefined>;
  /** Moves an open tunnel's expiry. */
  extend(tunnelId: string, expiresAt: Date): void;
  /** Brings these tunnels, open here or not, in line with their rows (a host pinned elsewhere, a tunnel handed over). */
  reconcile(tunnelIds: string[]): Promise<void>;
  /** `running`: started (what a killed run left in the journal committed) and not stopping;
   *  `journalBacklog`: journal entries not yet in the database. */
  health(): { running: boolean; journalBacklog: number };
  /** The host's SSH link on this node; undefined while this node holds none (no tunnel through the host open here). */
  linkState(hostId: string): LinkState | undefined;
}

export type TunnelOpenErrorCode = "port_in_use" | "address_unavailable" | "port_forbidden" | "remote_refused";

export class TunnelOpenError extends Error {
  constructor(
    readonly code: TunnelOpenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TunnelOpenError";
  }
}

/** By name, not instanceof: the engine (loaded by server/) and Next's bundle
 *  each have their own copy of this module. */
export function isTunnelOpenError(error: unknown): error is TunnelOpenError {
  return error instanceof Error && error.name === "TunnelOpenError";
}

export function setEngine(engine: TunnelEngineApi | undefined) {
  processGlobals.warrenEngine = engine;
}

export function getEngine(): TunnelEngineApi {
  const engine = processGlobals.warrenEngine;
  if (!engine) throw new ApiError({ code: "unavailable", message: "the tunnel engine is not running in this process" });
  return engine;
}

export function findEngine(): TunnelEngineApi | undefined {
  return processGlobals.warrenEngine;
}
