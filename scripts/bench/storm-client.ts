// The connection storm's load generator (storm-bench.ts), in a process of its
// own so that its CPU is neither Warren's nor the bench's, and can be read
// apart. It opens connections to 127.0.0.1:<port> at a fixed rate, paced by
// the clock (connection i is due i/rate seconds after the start, whether or
// not earlier ones have ended), each one: connect, write one byte, read the
// echo, end. It prints "go" as it starts, one JSON line at the end of every
// second (StormSecond), and, once every connection has ended, the totals
// (StormTotals).
// node --import tsx scripts/bench/storm-client.ts --port P --rate R --seconds S
import net from "node:net";
import { parseArgs } from "node:util";
import { percentile } from "./stats.ts";

/** One second: the connections started, completed and failed in it, and how many were in flight at its end. */
export type StormSecond = { second: number; started: number; completed: number; failed: number; inFlight: number };

export type StormTotals = {
  done: true;
  started: number;
  completed: number;
  failed: number;
  /** Failures by reason (an errno code, or what happened). */
  errors: Record<string, number>;
  /** How long after its due time a connection started, on average, in the second half of the seconds (the first
   *  warms up): past a few ms, the generator did not keep the rate. */
  meanLateMs: number;
  /** Connect to echoed byte, of the completed connections. */
  replyMs: { p50: number; p99: number };
  /** The generator's own CPU seconds from the first connection to the last start. */
  cpuSeconds: number;
};

/** A connection that has not had its echo by then has failed. */
const TIMEOUT_MS = 10_000;
/** Past this many in flight the rate is long lost: a connection due then fails unopened, so the process keeps its file descriptors
 *  and the machine its ports (a stalled path would otherwise have it open every connection still due at once). */
const MAX_IN_FLIGHT = 5_000;
const ONE_BYTE = Buffer.from("x");

const { values } = parseArgs({ options: { port: { type: "string" }, rate: { type: "string" }, seconds: { type: "string" } } });
const port = Number(values.port);
const rate = Number(values.rate);
const total = Math.round(rate * Number(values.seconds));

const totals = { started: 0, completed: 0, failed: 0 };
let second = { started: 0, completed: 0, failed: 0 };
let inFlight = 0;
const late = { sum: 0, count: 0 };
const errors = new Map<string, number>();
const replyMs: number[] = [];

function fail(reason: string) {
  totals.failed += 1;
  second.failed += 1;
  errors.set(reason, (errors.get(reason) ?? 0) + 1);
}

function open() {
  const began = performance.now();
  let replied = false;
  let failure: string | undefined;
  totals.started += 1;
  second.started += 1;
  if (inFlight >= MAX_IN_FLIGHT) return fail(`not opened: ${MAX_IN_FLIGHT} in flight`);
  inFlight += 1;
  const socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
  socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no echo within ${TIMEOUT_MS / 1000} s`)));
  socket.once("connect", () => socket.write(ONE_BYTE));
  socket.once("data", () => {
    replied = true;
    replyMs.push(performance.now() - began);
    socket.end();
  });
  socket.once("error", (error: NodeJS.ErrnoException) => (failure = error.code ?? error.message));
  socket.once("close", () => {
    inFlight -= 1;
    if (replied && failure === undefined) {
      totals.completed += 1;
      second.completed += 1;
    } else fail(failure ?? "closed before the echo");
  });
}

/** Starts every connection due by now, the ones behind schedule first. */
function startDue(start: number): boolean {
  const now = performance.now();
  const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
  while (totals.started < due) {
    if (totals.started >= total / 2) {
      late.sum += now - (start + (totals.started * 1000) / rate);
      late.count += 1;
    }
    open();
  }
  return totals.started >= total;
}

const start = performance.now();
const cpuAtStart = process.cpuUsage();
process.stdout.write("go\n");
let elapsed = 0;
const reporter = setInterval(() => {
  elapsed += 1;
  process.stdout.write(`${JSON.stringify({ second: elapsed, ...second, inFlight } satisfies StormSecond)}\n`);
  second = { started: 0, completed: 0, failed: 0 };
}, 1000);
await new Promise<void>((resolve) => {
  const tick = () => (startDue(start) ? resolve() : setTimeout(tick, 1));
  tick();
});
const cpu = process.cpuUsage(cpuAtStart);
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
clearInterval(reporter);
const summary: StormTotals = {
  done: true,
  ...totals,
  errors: Object.fromEntries(errors),
  meanLateMs: late.count ? late.sum / late.count : 0,
  replyMs: replyMs.length ? { p50: percentile(replyMs, 50), p99: percentile(replyMs, 99) } : { p50: 0, p99: 0 },
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
