// Where a new connection's round trip spends its time, hop by hop, from a
// packet capture of loopback (tcpdump's text output): which part is the
// forwarder's own (Warren or `ssh`) and which is sshd's or the target's.
// End-to-end percentiles cannot say that; the packets' timestamps can, for
// Warren and OpenSSH alike, without touching either. For the bench
// (BENCH_HOPS=1) and runtime-probe.ts (PROBE_HOPS=1), local and dynamic
// forwards; it needs tcpdump (Debian's package of that name) and root.
import { spawn } from "node:child_process";
import { processCpu, treeCpuSeconds } from "./proc.ts";
import { median, percentile } from "./stats.ts";

/** One TCP segment on loopback; `at` in microseconds. */
export type Packet = { at: number; from: number; to: number; syn: boolean; fin: boolean; length: number };

/** The ports that tell the three legs apart: client ↔ forwarder (listen), forwarder ↔ sshd, sshd ↔ target. */
export type HopPorts = { listen: number; sshd: number; target: number };

export const HOPS = [
  "forwarder: client's SYN → channel open sent",
  "sshd: channel open → its SYN to the target",
  "sshd: target connected → confirmation sent",
  "forwarder: confirmation → request sent",
  "sshd: request → to the target",
  "target: request → reply",
  "sshd: reply → to the forwarder",
  "forwarder: reply → to the client",
  "total: client's SYN → reply",
] as const;

export type Hop = (typeof HOPS)[number];

// "1733335997.123456 IP 127.0.0.1.54321 > 127.0.0.1.43033: Flags [S], seq 1, win 65495, length 0"
const LINE = /^(\d+)\.(\d{6}) IP6? \S+\.(\d+) > \S+\.(\d+): Flags \[([^\]]*)\].* length (\d+)/;

/** `tcpdump -n -tt` lines; anything else (its banner, non-TCP) is skipped. */
export function parseTcpdump(text: string): Packet[] {
  const packets: Packet[] = [];
  for (const line of text.split("\n")) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, seconds, micros, from, to, flags, length] = match;
    packets.push({
      at: Number(seconds) * 1e6 + Number(micros),
      from: Number(from),
      to: Number(to),
      syn: flags === "S",
      fin: flags!.includes("F"),
      length: Number(length),
    });
  }
  return packets;
}

/** Times of the packets `pick` selects, in order. */
const timesOf = (packets: Packet[], pick: (packet: Packet) => boolean) => packets.filter(pick).map((packet) => packet.at);

/** Data and FIN packets by direction, "from>to". */
function flowsOf(packets: Packet[]): Map<string, Packet[]> {
  const flows = new Map<string, Packet[]>();
  for (const packet of packets) {
    if (packet.length === 0 && !packet.fin) continue;
    const key = `${packet.from}>${packet.to}`;
    const flow = flows.get(key);
    if (flow) flow.push(packet);
    else flows.set(key, [packet]);
  }
  return flows;
}

function lastBefore(times: number[], at: number): number | undefined {
  let found: number | undefined;
  for (const time of times) {
    if (time >= at) break;
    found = time;
  }
  return found;
}

const firstAfter = (times: number[], at: number) => times.find((time) => time > at);

/** Each hop's durations (µs), one per connection that could be followed
 *  through all three legs. SSH packets are encrypted, so a channel message is
 *  known by its place: the channel open is the forwarder's last packet to
 *  sshd before sshd connects to the target, the request its last before the
 *  request reaches the target, the confirmation sshd's last packet before
 *  that request; connections are taken one after another, as the latency
 *  workload makes them. */
export function latencyHops(packets: Packet[], { listen, sshd, target }: HopPorts): Map<Hop, number[]> {
  const hops = new Map<Hop, number[]>(HOPS.map((hop) => [hop, []]));
  const toSshd = timesOf(packets, (p) => p.to === sshd && p.length > 0);
  const fromSshd = timesOf(packets, (p) => p.from === sshd && p.length > 0);
  const targetSyns = packets.filter((p) => p.to === target && p.syn);
  const flows = flowsOf(packets);
  const data = (from: number, to: number, after: number) => (flows.get(`${from}>${to}`) ?? []).filter((p) => p.at > after && p.length > 0);
  for (const syn of packets.filter((p) => p.to === listen && p.syn)) {
    const client = syn.from;
    // The client hangs up once answered; its port may serve a later connection.
    const hangUp = flows.get(`${client}>${listen}`)?.find((p) => p.fin && p.at > syn.at)?.at ?? Infinity;
    // The reply is the last data toward the client before that (a SOCKS client first gets the proxy's answers).
    const reply = data(listen, client, syn.at).findLast((p) => p.at < hangUp)?.at;
    const leg = targetSyns.find((p) => p.at > syn.at);
    if (reply === undefined || !leg || leg.at > reply) continue;
    const request = data(leg.from, target, leg.at)[0]?.at;
    const answer = data(target, leg.from, leg.at)[0]?.at;
    if (request === undefined || answer === undefined) continue;
    const open = lastBefore(toSshd, leg.at);
    const sent = lastBefore(toSshd, request);
    const confirmed = sent === undefined ? undefined : lastBefore(fromSshd, sent);
    const back = firstAfter(fromSshd, answer);
    if (open === undefined || sent === undefined || confirmed === undefined || back === undefined || open < syn.at || confirmed < leg.at) continue;
    const durations = [
      open - syn.at,
      leg.at - open,
      confirmed - leg.at,
      sent - confirmed,
      request - sent,
      answer - request,
      back - answer,
      reply - back,
      reply - syn.at,
    ];
    for (const [index, duration] of durations.entries()) hops.get(HOPS[index]!)!.push(duration);
  }
  return hops;
}

/** tcpdump on loopback for `ports`, until stop() answers what it saw. It
 *  takes some CPU of its own, alike for every path measured. */
async function captureLoopback(ports: number[]): Promise<{ stop(): Promise<Packet[]> }> {
  const filter = `tcp and (${ports.map((port) => `port ${port}`).join(" or ")})`;
  const tcpdump = spawn("tcpdump", ["-i", "lo", "-n", "-tt", "-l", "-s", "96", filter], { stdio: ["ignore", "pipe", "pipe"] });
  const chunks: string[] = [];
  let log = "";
  tcpdump.stdout!.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => tcpdump.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    tcpdump.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("listening on")) resolve();
    });
    tcpdump.once("error", (error) => reject(new Error(`tcpdump: ${error.message} (install Debian's tcpdump package)`)));
    void exited.then(() => reject(new Error(`tcpdump exited: ${log.trim()}`)));
  });
  return {
    async stop() {
      tcpdump.kill("SIGINT");
      await exited;
      const dropped = /(\d+) packets? dropped by kernel/.exec(log)?.[1];
      if (dropped && dropped !== "0") console.log(`  (tcpdump dropped ${dropped} packets; the connections they belonged to are skipped)`);
      return parseTcpdump(chunks.join(""));
    },
  };
}

/** One path's captured connections: their hops, and CPU seconds spent meanwhile. */
export type HopTally = { hops: Map<Hop, number[]>; connections: number; user: number; system: number; sshd: number };

export const emptyTally = (): HopTally => ({ hops: new Map(HOPS.map((hop) => [hop, []])), connections: 0, user: 0, system: 0, sshd: 0 });

/** Runs round trips (`workload`, answering each one's time) under capture and
 *  adds their hops to `tally`, with the CPU the forwarder and sshd's process tree spent meanwhile. */
export async function capturedHops(
  tally: HopTally,
  ports: HopPorts,
  pids: { forwarder: number; sshd: number },
  workload: () => Promise<number[]>,
): Promise<number[]> {
  const capture = await captureLoopback([ports.listen, ports.sshd, ports.target]);
  const [cpu, sshd] = [processCpu(pids.forwarder), treeCpuSeconds(pids.sshd)];
  const samples = await workload();
  const [cpuAfter, sshdAfter] = [processCpu(pids.forwarder), treeCpuSeconds(pids.sshd)];
  for (const [hop, durations] of latencyHops(await capture.stop(), ports)) tally.hops.get(hop)!.push(...durations);
  tally.connections += samples.length;
  tally.user += cpuAfter.user - cpu.user;
  tally.system += cpuAfter.system - cpu.system;
  tally.sshd += sshdAfter - sshd;
  return samples;
}

/** A markdown table: each hop's median (p90) per path, and CPU per connection. */
export function hopTable(tallies: Map<string, HopTally>): string {
  const paths = [...tallies];
  const cell = (durations: number[]) => (durations.length ? `${median(durations).toFixed(0)} (${percentile(durations, 90).toFixed(0)})` : "-");
  const perConnection = (seconds: number, tally: HopTally) => ((seconds * 1e6) / tally.connections).toFixed(0);
  const row = (label: string, value: (tally: HopTally) => string) => `| ${label} | ${paths.map(([, tally]) => value(tally)).join(" | ")} |`;
  return [
    `| hop, µs: median (p90) | ${paths.map(([name]) => name).join(" | ")} |`,
    `| --- |${paths.map(() => " ---: |").join("")}`,
    ...HOPS.map((hop) => row(hop, (tally) => cell(tally.hops.get(hop)!))),
    row("connections followed", (tally) => `${tally.hops.get(HOPS.at(-1)!)!.length} of ${tally.connections}`),
    row("forwarder's CPU per connection, user + system µs", (tally) => `${perConnection(tally.user, tally)} + ${perConnection(tally.system, tally)}`),
    row("sshd's CPU per connection, µs", (tally) => perConnection(tally.sshd, tally)),
  ].join("\n");
}
