import { useId } from "react";
import type { DiagramLine, TunnelDiagram } from "@/lib/tunnels/tunnel-diagram";

// No hooks but useId and no handlers: a server page (the tunnel's detail) can
// draw it as well as the form. Colours are Tailwind classes, so dark mode and
// the nonce CSP need nothing special.

const LINE_CLASS: Record<DiagramLine["role"], string> = {
  title: "fill-zinc-900 font-semibold dark:fill-zinc-100",
  subtitle: "fill-zinc-600 dark:fill-zinc-400",
  note: "fill-brand-700 font-semibold dark:fill-brand-300",
};
const LINE_SIZE: Record<DiagramLine["role"], number> = { title: 15, subtitle: 13, note: 13 };

/** The diagram, labelled by its one-sentence explanation shown beneath it. */
export function TunnelDiagramView({ diagram }: { diagram: TunnelDiagram }) {
  const captionId = useId();
  const { badge } = diagram.listener;
  return (
    <figure className="space-y-2">
      {/* biome-ignore lint/a11y/noSvgWithoutTitle: labelled by the figure's caption (aria-labelledby), which sighted readers see too */}
      <svg
        role="img"
        aria-labelledby={captionId}
        viewBox={`0 0 ${diagram.width} ${diagram.height}`}
        className="mx-auto block h-auto w-full max-w-sm"
        data-testid="tunnel-diagram"
        data-listener={diagram.listener.node}
      >
        {diagram.edges.map((edge) => (
          <g key={`${edge.from}-${edge.to}`}>
            {edge.viaSsh ? (
              // The SSH connection drawn as a pipe the connection travels inside.
              <rect
                x={edge.x - 10}
                y={edge.y1}
                width={20}
                height={edge.y2 - edge.y1}
                rx={4}
                strokeDasharray="4 3"
                className="fill-zinc-200 stroke-zinc-500 dark:fill-zinc-800 dark:stroke-zinc-400"
              />
            ) : null}
            <line x1={edge.x} y1={edge.y1} x2={edge.x} y2={edge.y2 - 8} strokeWidth={2} className="stroke-zinc-600 dark:stroke-zinc-300" />
            <polygon points={edge.head} className="fill-zinc-600 dark:fill-zinc-300" />
            <text x={edge.label.x} y={edge.label.y} fontSize={13} className="fill-zinc-700 dark:fill-zinc-300">
              {edge.label.text}
            </text>
          </g>
        ))}
        {diagram.nodes.map((node) => (
          <g key={node.id} data-node={node.id} data-listens={node.listens || undefined}>
            <rect
              x={node.x}
              y={node.y}
              width={node.width}
              height={node.height}
              rx={8}
              strokeWidth={node.listens ? 3 : 1.5}
              className={
                node.listens
                  ? "fill-brand-50 stroke-brand-600 dark:fill-zinc-900 dark:stroke-brand-300"
                  : "fill-white stroke-zinc-500 dark:fill-zinc-900 dark:stroke-zinc-500"
              }
            />
            {node.lines.map((line) => (
              <text key={`${line.role}-${line.y}`} x={node.x + 16} y={line.y} fontSize={LINE_SIZE[line.role]} className={LINE_CLASS[line.role]}>
                {line.text}
              </text>
            ))}
          </g>
        ))}
        <rect x={badge.x} y={badge.y} width={badge.width} height={badge.height} rx={11} className="fill-brand-600 dark:fill-brand-300" />
        <text
          x={badge.x + badge.width / 2}
          y={badge.y + badge.height / 2 + 4}
          fontSize={11}
          textAnchor="middle"
          className="fill-white font-bold tracking-wide dark:fill-zinc-950"
        >
          {badge.text}
        </text>
      </svg>
      <figcaption id={captionId} className="text-sm text-zinc-700 dark:text-zinc-300">
        {diagram.sentence} {diagram.reach}
      </figcaption>
    </figure>
  );
}
