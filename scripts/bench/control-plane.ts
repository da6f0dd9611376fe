// Control-plane and memory figures: POST → active with and without the SSH
// connection up, status change → socket.io event, Warren's RSS with many idle
// tunnels, and the dashboard's time to first byte with many tunnels listed.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";
import type { ServerToClientEvents } from "@/lib/realtime/events";
import { freePortInRange } from "@/tests/harness/free-port";
import { signInCookie } from "@/tests/harness/sign-in";
import type { BenchConfig } from "./config.ts";
import { settledRss } from "./proc.ts";
import type { Recorder } from "./recorder.ts";
import { median, percentile } from "./stats.ts";
import { closeTunnel, openTunnel, type BenchWarren } from "./warren-side.ts";

export type ControlContext = { config: BenchConfig; warren: BenchWarren; hostId: string; echoPort: number; recorder: Recorder };

const EVENT_GRACE_MS = 500;

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function openIdle(ctx: ControlContext): Promise<string> {
  const port = await freePortInRange();
  return openTunnel(ctx.warren.api, {
    hostId: ctx.hostId,
    kind: "local",
    listen: { address: "127.0.0.1", port },
    target: { host: "127.0.0.1", port: ctx.echoPort },
  });
}

/** Opens and closes one tunnel at a time; the host's SSH connection closes with its last tunnel, so each open is cold. */
async function postToActive(ctx: ControlContext, warm: boolean): Promise<number> {
  const anchor = warm ? await openIdle(ctx) : undefined;
  const samples: number[] = [];
  for (let i = 0; i < ctx.config.controlSamples; i++) {
    let id = "";
    samples.push(await timed(async () => (id = await openIdle(ctx))));
    await closeTunnel(ctx.warren.api, id);
  }
  if (anchor) await closeTunnel(ctx.warren.api, anchor);
  return median(samples);
}

function statusSocket(ctx: ControlContext, latencies: number[]): Promise<Socket<ServerToClientEvents>> {
  const socket: Socket<ServerToClientEvents> = io(ctx.warren.handle.url, { auth: { token: ctx.warren.token } });
  // Same machine, same clock: the event's own timestamp is when Warren changed the status.
  socket.on("tunnel:status", (event) => latencies.push(Date.now() - Date.parse(event.at)));
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function controlRuns(ctx: ControlContext) {
  const latencies: number[] = [];
  const socket = await statusSocket(ctx, latencies);
  try {
    for (let run = 0; run < ctx.config.runs; run++) {
      latencies.length = 0;
      ctx.recorder.add("post-active-cold", null, "warren", await postToActive(ctx, false));
      ctx.recorder.add("post-active-warm", null, "warren", await postToActive(ctx, true));
      await sleep(EVENT_GRACE_MS);
      ctx.recorder.add("status-event-p50", null, "warren", percentile(latencies, 50));
      ctx.recorder.add("status-event-p99", null, "warren", percentile(latencies, 99));
    }
  } finally {
    socket.close();
  }
}

/** Milliseconds to the response headers and to the end of the document. */
function pageTimes(url: string, cookie: string): Promise<{ firstByte: number; whole: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (response) => {
        const firstByte = performance.now() - started;
        if (response.statusCode !== 200) reject(new Error(`GET ${url} answered ${response.statusCode}`));
        response.resume();
        response.once("end", () => resolve({ firstByte, whole: performance.now() - started }));
      })
      .once("error", reject);
  });
}

async function pageRuns(ctx: ControlContext) {
  const { url } = ctx.warren.handle;
  const cookie = await signInCookie(url, ctx.warren.email, ctx.warren.password);
  await pageTimes(`${url}/tunnels`, cookie); // the first render also compiles and caches
  for (let run = 0; run < ctx.config.runs; run++) {
    const samples = [];
    for (let i = 0; i < ctx.config.controlSamples; i++) samples.push(await pageTimes(`${url}/tunnels`, cookie));
    ctx.recorder.add(
      "page-ttfb-p50",
      null,
      "warren",
      percentile(
        samples.map((s) => s.firstByte),
        50,
      ),
    );
    ctx.recorder.add(
      "page-load-p50",
      null,
      "warren",
      percentile(
        samples.map((s) => s.whole),
        50,
      ),
    );
  }
}

/** Idle tunnels' memory in every run; the page with many tunnels listed after the last. */
async function tunnelRuns(ctx: ControlContext) {
  const { idleTunnels, listedTunnels, runs } = ctx.config;
  for (let run = 0; run < runs; run++) {
    const before = await settledRss(ctx.warren.pid);
    const ids: string[] = [];
    try {
      while (ids.length < idleTunnels) ids.push(await openIdle(ctx));
      const after = await settledRss(ctx.warren.pid);
      ctx.recorder.add("idle-rss-none", null, "warren", before / 1e6);
      ctx.recorder.add("idle-rss-many", null, "warren", after / 1e6);
      ctx.recorder.add("idle-rss-per-tunnel", null, "warren", (after - before) / idleTunnels / 1e6);
      if (run < runs - 1) continue;
      while (ids.length < listedTunnels) ids.push(await openIdle(ctx));
      await pageRuns(ctx);
    } finally {
      for (const id of ids) await closeTunnel(ctx.warren.api, id);
    }
  }
}

export async function benchControl(ctx: ControlContext) {
  if (ctx.config.sections.has("control")) await controlRuns(ctx);
  if (ctx.config.sections.has("tunnels")) await tunnelRuns(ctx);
}
