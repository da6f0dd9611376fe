"use client";

import "uplot/dist/uPlot.min.css";
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import { formatBytes } from "@/lib/format";

/** Five minutes of one sample a second. */
const SAMPLES = 300;
const TICK_MS = 1_000;
const HEIGHT = 200;
/** Readable on white and on zinc-900 alike. */
const AXIS = { stroke: "#71717a", grid: { stroke: "rgba(113,113,122,0.2)" }, ticks: { stroke: "rgba(113,113,122,0.4)" } };

type Series = [number[], number[], number[]];

const rate = (value: number) => `${formatBytes(Math.round(value))}/s`;

/** Bytes per second received and sent over the last five minutes, sampled
 *  once a second from the live totals the page keeps (tunnel:stats events);
 *  the summary beneath says the same in words. */
export function ThroughputChart({ bytesIn, bytesOut }: { bytesIn: number; bytesOut: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const totals = useRef({ bytesIn, bytesOut });
  totals.current = { bytesIn, bytesOut };
  const [data, setData] = useState<Series>([[], [], []]);

  useEffect(() => {
    let last = { ...totals.current, at: Date.now() };
    const timer = setInterval(() => {
      const at = Date.now();
      const seconds = Math.max(0.001, (at - last.at) / 1000);
      const received = Math.max(0, (totals.current.bytesIn - last.bytesIn) / seconds);
      const sent = Math.max(0, (totals.current.bytesOut - last.bytesOut) / seconds);
      last = { ...totals.current, at };
      setData(([times, ins, outs]) => [[...times, at / 1000].slice(-SAMPLES), [...ins, received].slice(-SAMPLES), [...outs, sent].slice(-SAMPLES)]);
    }, TICK_MS);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    const element = box.current!;
    const chart = new uPlot(
      {
        width: element.clientWidth || 600,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1024, max)] } },
        axes: [
          { ...AXIS, label: "time" },
          { ...AXIS, label: "bytes per second", size: 80, values: (_u, ticks) => ticks.map(rate) },
        ],
        series: [{}, { label: "Received", stroke: "#059669", width: 2 }, { label: "Sent", stroke: "#0284c7", width: 2 }],
      },
      [[], [], []],
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => plot.current?.setData(data), [data]);

  const [, ins, outs] = data;
  const summary =
    ins.length === 0
      ? "Measuring throughput…"
      : `Over the last ${Math.round(ins.length / 60) || 1} min: received now ${rate(ins.at(-1)!)}, at most ${rate(Math.max(...ins))}; sent now ${rate(outs.at(-1)!)}, at most ${rate(Math.max(...outs))}.`;
  return (
    <figure className="mt-3 space-y-1">
      <div ref={box} role="img" aria-label="Throughput over the last 5 minutes: bytes per second received and sent" data-testid="throughput-chart" />
      <figcaption className="text-sm text-zinc-700 dark:text-zinc-300">
        <span aria-hidden className="mr-3 inline-flex items-center gap-1">
          <span className="inline-block h-0.5 w-4 bg-emerald-600" /> received
        </span>
        <span aria-hidden className="mr-3 inline-flex items-center gap-1">
          <span className="inline-block h-0.5 w-4 bg-sky-600" /> sent
        </span>
        <span data-testid="throughput-summary">{summary}</span>
      </figcaption>
    </figure>
  );
}
