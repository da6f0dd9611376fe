// The engine's handle on its data plane, a worker thread running
// data-plane-worker.ts. Why a thread: forwarding allocates a buffer per SSH
// packet and per socket read (ssh2 and Node), and on the main thread every
// major GC that churn sets off also marks Next.js's heap, hundreds of MB.
// In a thread of its own the engine's heap is a few MB. What it bought is in
// docs/performance.md, "Tunings".
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { SshFailure } from "@/lib/ssh/ssh-connect";
import { TunnelOpenError, type TunnelOpenErrorCode } from "@/lib/tunnels/engine-port";
import type {
  ConnectPerson,
  DataPlaneEvent,
  DataPlaneOps,
  DataPlaneSettings,
  Op,
  Reply,
  StreamCommand,
  StreamNews,
  WireError,
} from "@/server/tunnels/data-plane-protocol";
import { log } from "@/lib/log";

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

/** Who hears a connect stream's news: the WebSocket's side (server/connect/). */
export type StreamPeer = {
  data(chunk: ArrayBuffer): void;
  end(): void;
  credit(bytes: number): void;
  /** The stream is over; `reset`: why, when it did not end cleanly. */
  closed(reset: string | null): void;
};

/** A connect stream's way into the worker. */
export type StreamHandle = {
  /** Transfers `chunk`: the caller must not use it again. */
  data(chunk: ArrayBuffer): void;
  end(): void;
  credit(bytes: number): void;
  reset(reason: string): void;
};

/** A worker's stream while its taker decides. */
const UNTAKEN: StreamPeer = { data() {}, end() {}, credit() {}, closed() {} };

type PlaneEvents = { events: [DataPlaneEvent[]]; exit: [reason: string] };

const WORKER_FILE = fileURLToPath(new URL("./data-plane-worker.ts", import.meta.url));

// Warren runs from TypeScript source (tsx, and vite-node under Vitest); a
// worker does not inherit either loader, so it registers tsx itself.
const BOOTSTRAP = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(WORKER_FILE)}); })`;

function rebuild(error: WireError): Error {
  if (error.name === "TunnelOpenError") return new TunnelOpenError(error.code as TunnelOpenErrorCode, error.message);
  if (error.name === "SshFailure") return new SshFailure(error.step!, error.message, error.offeredFingerprint);
  return new Error(error.message);
}

// The data plane's heap is small and V8 sizes its old generation's limit to
// match: the buffers forwarding promotes then keep it in full collections,
// which can double the CPU a download costs. A 128 MB initial old space keeps
// it to scavenges, at the cost of at most that much more of the worker's
// memory before a full collection (docs/performance.md, "Tunings"). V8 reads
// the flag when an isolate starts, so it reaches the worker and not the
// main thread's heap, which is configured already.
v8.setFlagsFromString("--initial-old-space-size=128");

export class DataPlane extends EventEmitter<PlaneEvents> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopping = false;
  private exited: string | undefined;
  private readonly streams = new Map<number, StreamPeer>();
  private nextStream = 1;
  /** Stream commands of this turn, sent in one message with their chunks. */
  private commands: StreamCommand[] = [];
  private transfers: ArrayBuffer[] = [];

  constructor(settings: DataPlaneSettings) {
    super();
    this.worker = new Worker(BOOTSTRAP, { eval: true, name: "warren-data-plane", workerData: settings });
    // The events first, in order: an answer's awaiter resumes only after this
    // handler, so it sees every event the worker sent before answering.
    this.worker.on("message", (messages: (Reply | DataPlaneEvent | StreamNews)[]) => {
      const events = messages.filter((message): message is DataPlaneEvent => "event" in message);
      if (events.length > 0) this.emit("events", events);
      for (const message of messages) {
        if ("id" in message) this.settle(message);
        else if ("news" in message) this.tell(message);
      }
    });
    this.worker.on("error", (error) => log().error({ err: error }, "the tunnel data plane failed"));
    this.worker.once("exit", (code) => {
      const reason = `Warren's tunnel worker stopped (exit code ${code})`;
      this.exited = reason;
      for (const { reject } of this.pending.values()) reject(new Error(reason));
      this.pending.clear();
      for (const peer of this.streams.values()) peer.closed(reason);
      this.streams.clear();
      if (!this.stopping) this.emit("exit", reason);
    });
  }

  call<K extends Op>(op: K, input: Parameters<DataPlaneOps[K]>[0]): ReturnType<DataPlaneOps[K]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error(this.exited));
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, input });
    }) as ReturnType<DataPlaneOps[K]>;
  }

  /** Opens a `warren connect` connection in an open tunnel: `peer` hears its news until it is closed. */
  openStream(open: { tunnelId: string; source: string; via: ConnectPerson }, peer: StreamPeer): StreamHandle {
    const stream = this.nextStream++;
    if (this.exited) {
      peer.closed(this.exited);
      return { data() {}, end() {}, credit() {}, reset() {} };
    }
    this.streams.set(stream, peer);
    this.command({ stream, do: "open", ...open });
    return this.handle(stream);
  }

  /** Who takes the streams the worker opens (connections for a `warren expose` client): their peer, or undefined to reset them. */
  onIncoming: ((open: { tunnelId: string; source: string }, handle: StreamHandle) => StreamPeer | undefined) | undefined;

  private handle(stream: number): StreamHandle {
    const live = () => this.streams.has(stream);
    return {
      data: (chunk) => live() && this.command({ stream, do: "data", chunk }, chunk),
      end: () => live() && this.command({ stream, do: "end" }),
      credit: (bytes) => live() && this.command({ stream, do: "credit", bytes }),
      reset: (reason) => {
        if (this.streams.delete(stream)) this.command({ stream, do: "reset", reason });
      },
    };
  }

  private incoming({ stream, tunnelId, source }: Extract<StreamNews, { news: "incoming" }>) {
    this.streams.set(stream, UNTAKEN);
    const peer = this.onIncoming?.({ tunnelId, source }, this.handle(stream));
    if (peer) this.streams.set(stream, peer);
    else if (this.streams.delete(stream)) this.command({ stream, do: "reset", reason: "no warren expose client is attached to this tunnel" });
  }

  async stop() {
    this.stopping = true;
    await this.worker.terminate();
  }

  private command(command: StreamCommand, transfer?: ArrayBuffer) {
    if (this.commands.length === 0) setImmediate(() => this.flushCommands());
    this.commands.push(command);
    if (transfer) this.transfers.push(transfer);
  }

  private flushCommands() {
    if (!this.exited) this.worker.postMessage(this.commands, this.transfers);
    this.commands = [];
    this.transfers = [];
  }

  private tell(news: StreamNews) {
    if (news.news === "incoming") return this.incoming(news);
    const peer = this.streams.get(news.stream);
    if (!peer) return;
    if (news.news === "data") peer.data(news.chunk);
    else if (news.news === "end") peer.end();
    else if (news.news === "credit") peer.credit(news.bytes);
    else {
      this.streams.delete(news.stream);
      peer.closed(news.reset);
    }
  }

  private settle(reply: Reply) {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(rebuild(reply.error));
  }
}
