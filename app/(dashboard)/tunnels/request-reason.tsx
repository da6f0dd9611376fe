/** The requester's own words on why they need the tunnel, for whoever decides it. */
export function RequestReason({ reason }: { reason: string | null }) {
  if (!reason) return null;
  return (
    <p className="text-sm" data-testid="request-reason">
      <span className="font-medium">Why: </span>
      <q>{reason}</q>
    </p>
  );
}
