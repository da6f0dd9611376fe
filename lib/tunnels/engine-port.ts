// The seam between Next's bundle (route handlers, actions) and the tunnel
// engine in server/: the engine puts itself on globalThis at start, and lib/
// reaches it only through this interface.
import { ApiError } from "@/lib/api/api-error";
import type { Ctx } from "@/lib/context";
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import { processGlobals } from "@/lib/process-globals";
import type { HostPolicy } from "@/lib/validation/host-policy";

export type LiveStats = { bytesIn: number; bytesOut: number; connections: number; connectionsTotal: number };

export interface TunnelEngineApi {
  /** Opens a tunnel whose row is `starting`; settles after its first attempt
   *  (active or failed). Rejects with TunnelOpenError when the request itself
   *  cannot work (port taken), leaving the row untouched for the caller. */
  open(tunnelId: string): Promise<void>;
  /** Opens an approved tunnel (its row `starting`); any failure becomes its status. */
  openApproved(tunnelId: string): Promise<void>;
  /** Records a status change decided outside the engine (approval, denial,
   *  withdrawal of a pending request): persisted, audited, told live. */
  transition(tunnelId: string, status: TunnelStatus, reason: string, ctx: Ctx): Promise<void>;
  /** Changes an open tunnel's allowed sources (connections from sources no
   *  longer allowed are cut, before it settles), the team its events also go
   *  to, or its host's policy (SOCKS connections to destinations no longer
   *  allowed are cut); answers why the new policy no longer allows the tunnel
   *  as it runs (a public bind its sshd made), if it does not. */
  reconfigure(tunnelId: string, changes: { allowedSources?: string[]; teamId?: string | null; policy?: HostPolicy }): Promise<string | undefined>;
  /** `ctx`: who closed it, for the audit trail (the engine itself if absent). */
  close(tunnelId: string, options: { status: "closed" | "expired"; reason: string; ctx?: Ctx }): Promise<void>;
  live(tunnelId: string): LiveStats | undefined;
  /** Moves an open tunnel's expiry. */
  extend(tunnelId: string, expiresAt: Date): void;
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
