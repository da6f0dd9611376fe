// The load bench's observer, in a process of its own so that the bench's
// busy download loops do not delay what it measures: N dashboard sockets
// recording each status event's delay and which socket heard which change,
// counting stats frames, and /api/v1/health polled, from when the sockets
// are connected (it prints "connected" then) until a "stop" line on stdin.
// Ends with one JSON line.
// node --import tsx scripts/bench/load-observer.ts --url U --token T --clients N --every MS
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { io, type Socket } from "socket.io-client";
import type { ServerToClientEvents } from "@/lib/realtime/events";

export type Observation = {
  health: number[];
  healthFailures: number;
  statusDelays: number[];
  /** "<tunnelId> <status>" → how many sockets heard it. */
  statusHeard: Record<string, number>;
  statsEvents: number;
  connected: number;
};

const { values } = parseArgs({ options: { url: { type: "string" }, token: { type: "string" }, clients: { type: "string" }, every: { type: "string" } } });
const url = values.url!;

async function dashboardSockets(count: number, observation: Observation): Promise<Socket<ServerToClientEvents>[]> {
  return Promise.all(
    Array.from({ length: count }, () => {
      const socket: Socket<ServerToClientEvents> = io(url, { auth: { token: values.token }, transports: ["websocket"] });
      socket.on("tunnel:status", (event) => {
        // Same machine, same clock: the event's own timestamp is when Warren changed the status.
        observation.statusDelays.push(Date.now() - Date.parse(event.at));
        const key = `${event.tunnelId} ${event.status}`;
        observation.statusHeard[key] = (observation.statusHeard[key] ?? 0) + 1;
      });
      socket.on("tunnel:stats", () => (observation.statsEvents += 1));
      return new Promise<Socket<ServerToClientEvents>>((resolve, reject) => {
        socket.once("connect", () => resolve(socket));
        socket.once("connect_error", reject);
      });
    }),
  );
}

async function pollHealth(observation: Observation, stopped: () => boolean) {
  while (!stopped()) {
    const started = performance.now();
    const ok = await fetch(`${url}/api/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) observation.health.push(performance.now() - started);
    else observation.healthFailures += 1;
    await sleep(Number(values.every));
  }
}

let stop = false;
createInterface({ input: process.stdin })
  .once("line", () => (stop = true))
  .once("close", () => (stop = true));

const observation: Observation = { health: [], healthFailures: 0, statusDelays: [], statusHeard: {}, statsEvents: 0, connected: 0 };
const sockets = await dashboardSockets(Number(values.clients), observation);
observation.connected = sockets.length;
process.stdout.write("connected\n");
await pollHealth(observation, () => stop);
await sleep(1_000); // the last status events in flight
for (const socket of sockets) socket.close();
process.stdout.write(`${JSON.stringify(observation)}\n`);
