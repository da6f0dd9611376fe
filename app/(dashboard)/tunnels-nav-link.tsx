"use client";

// The nav's Tunnels link, with a badge counting the viewer's tunnels that
// failed or are about to expire; its accessible name says the count in words.
import { useTunnelAttention } from "@/app/lib/use-tunnel-attention";
import type { TunnelAttention } from "@/lib/tunnels/attention-count";
import { NavLink } from "./nav-link";

export function TunnelsNavLink({ initial }: { initial: TunnelAttention }) {
  const count = useTunnelAttention(initial);
  return (
    <NavLink href="/tunnels" label={count > 0 ? `Tunnels, ${count} ${count === 1 ? "needs" : "need"} attention` : undefined}>
      Tunnels
      {count > 0 ? (
        <span
          aria-hidden
          data-testid="tunnels-attention"
          className="ml-1 inline-block min-w-4 rounded-full bg-red-700 px-1 text-center text-[0.65rem] leading-4 font-semibold text-white"
        >
          {count > 99 ? "99+" : count}
        </span>
      ) : null}
    </NavLink>
  );
}
