"use client";

// The nav's Tunnels link, with a badge counting the viewer's tunnels that
// failed or are about to expire; its accessible name says the count in words.
import { CountBadge } from "@/app/components/count-badge";
import { useTunnelAttention } from "@/app/lib/use-tunnel-attention";
import type { TunnelAttention } from "@/lib/tunnels/attention-count";
import { NavLink } from "./nav-link";

export function TunnelsNavLink({ initial }: { initial: TunnelAttention }) {
  const count = useTunnelAttention(initial);
  return (
    <NavLink href="/tunnels" label={count > 0 ? `Tunnels, ${count} ${count === 1 ? "needs" : "need"} attention` : undefined}>
      Tunnels
      <CountBadge count={count} testId="tunnels-attention" className="ml-1 inline-block" />
    </NavLink>
  );
}
