// Tells Warren's `warren connect` endpoint (server/connect/connect-server.ts)
// to check its live connections now: called once a change that may end
// someone's access is committed (a tunnel leaving the open statuses, a
// participant removed, a tunnel unshared, a user disabled, a token revoked).
// Changes made elsewhere (the CLI's own process) are found by its periodic round.
import { processGlobals } from "@/lib/process-globals";

export function recheckConnectAccess() {
  processGlobals.warrenConnectRecheck?.();
}
