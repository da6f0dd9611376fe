// Every action the audit trail records. Adding one here is the only way to
// record it, so the list doubles as documentation.
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "auth.token_failed",
  "token.created",
  "token.revoked",
  "device.approved",
  "device.denied",
  "device.revoked",
  "user.created",
  "user.disabled",
  "user.enabled",
  "user.password_changed",
  "user.password_reset",
  "host.created",
  "host.updated",
  "host.deleted",
  "host.key_trusted",
  "host.key_changed",
  "host.key_refused",
  "team.created",
  "team.updated",
  "team.deleted",
  "team.member_added",
  "team.member_updated",
  "team.member_removed",
  "team.member_invited",
  "team.invitation_accepted",
  "team.invitation_declined",
  "team.invitation_withdrawn",
  "tunnel.requested",
  "tunnel.approved",
  "tunnel.denied",
  "tunnel.opened",
  "tunnel.extension_requested",
  "tunnel.extension_denied",
  "tunnel.extension_expired",
  "tunnel.extended",
  "tunnel.expiry_shortened",
  "tunnel.joined",
  "tunnel.participant_removed",
  "tunnel.reconnecting",
  "tunnel.failed",
  "tunnel.closed",
  "tunnel.expired",
  "connection.accepted",
  "connection.refused",
  "connection.refused_many",
  "connection.closed",
  "app.session_started",
  "app.session_ended",
  "audit.pruned",
  "audit.journal_rejected",
  "audit.anchor_started",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The audit action for a tunnel status the engine persists, if it is one people ask about. */
export function tunnelStatusAction(status: string): AuditAction | undefined {
  return (
    {
      active: "tunnel.opened",
      denied: "tunnel.denied",
      reconnecting: "tunnel.reconnecting",
      failed: "tunnel.failed",
      closed: "tunnel.closed",
      expired: "tunnel.expired",
    } as const
  )[status];
}
