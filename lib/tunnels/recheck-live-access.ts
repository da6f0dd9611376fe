// Tells the live users of tunnels (`warren connect` and `expose` clients,
// browser sessions with web apps) to check their access now: called once a
// change that may end someone's access is committed (a tunnel leaving the
// open statuses, a participant removed, a tunnel unshared, a user disabled, a
// token revoked). Changes made elsewhere (the CLI's own process) are found by
// each one's periodic round.
import { processGlobals } from "@/lib/process-globals";

export function recheckLiveAccess() {
  for (const recheck of processGlobals.warrenAccessRechecks ?? []) recheck();
}

/** Registers a live user's check (server/); answers how to take it off. */
export function onAccessRecheck(recheck: () => void): () => void {
  processGlobals.warrenAccessRechecks ??= new Set();
  processGlobals.warrenAccessRechecks.add(recheck);
  return () => processGlobals.warrenAccessRechecks?.delete(recheck);
}
