import type { TunnelDiagram } from "@/lib/tunnels/tunnel-diagram";
import { type HopState, tunnelHops } from "@/lib/tunnels/tunnel-health";
import { TunnelDiagramView } from "../new/tunnel-diagram-view";

const STATE_CLASS: Record<HopState, string> = {
  ok: "bg-emerald-600",
  warn: "bg-amber-500",
  down: "bg-red-600",
  idle: "bg-zinc-400",
};
const STATE_WORD: Record<HopState, string> = { ok: "working", warn: "degraded", down: "failing", idle: "idle" };

/** The tunnel's path as the New tunnel form draws it, and each hop's state now, in words. */
export function PathSection({ diagram, hop, className }: { diagram: TunnelDiagram; hop: Parameters<typeof tunnelHops>[0]; className: string }) {
  return (
    <section aria-labelledby="path-heading" className={className}>
      <h2 id="path-heading" className="font-semibold">
        Path
      </h2>
      <div className="mt-2 grid gap-4 md:grid-cols-2">
        <TunnelDiagramView diagram={diagram} />
        <ul className="space-y-2 text-sm" data-testid="hop-states">
          {tunnelHops(hop).map((step) => (
            <li key={step.id} data-hop={step.id} data-state={step.state} className="flex gap-2">
              <span aria-hidden className={`mt-1.5 inline-block h-2.5 w-2.5 shrink-0 rounded-full ${STATE_CLASS[step.state]}`} />
              <span>
                <span className="font-medium">{step.label}</span>
                <span className="sr-only"> ({STATE_WORD[step.state]})</span>: {step.text}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
