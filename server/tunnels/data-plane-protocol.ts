// What the engine (main thread) and its data plane (a worker thread, see
// data-plane.ts) say to each other. Everything here crosses postMessage, so
// it is plain data: errors travel as WireError and are rebuilt on arrival.
import type { LiveStats, OpenConnection } from "@/lib/tunnels/engine-port";
import type { SshStep, SshTarget } from "@/lib/ssh/ssh-connect";
import type { HostPolicy } from "@/lib/validation/host-policy";
import type { LinkRole, PoolSnapshot } from "@/server/tunnels/channel-pool";

export type RuntimeTunnel = {
  id: string;
  kind: "local" | "remote" | "dynamic";
  ownerId: string;
  /** Its connections through `warren expose` are recorded under its owner. */
  ownerEmail: string;
  /** The team it is shared with, if any: its members hear of it too. */
  teamId: string | null;
  hostId: string;
  hostName: string;
  hostAddress: string;
  /** Both null: a local or dynamic tunnel with no listener on the bastion (used through warren connect). */
  listenAddress: string | null;
  listenPort: number | null;
  targetHost: string | null;
  targetPort: number | null;
  /** A remote tunnel whose connections go to its owner's `warren expose` client, through the main thread. */
  targetClient: boolean;
  allowedSources: string[];
  /** The host's policy, checked again for every SOCKS destination. */
  policy: HostPolicy;
  expiresAt: Date;
  /** It closes after this long with no connection and no bytes (null: never). */
  idleMinutes: number | null;
};

export type ConnectionRecord = {
  /** The id its row gets, given when it opened; none for a refusal. */
  id?: string;
  tunnelId: string;
  source: string;
  destination: string | null;
  bytesIn: number;
  bytesOut: number;
  openedAt: Date;
  closedAt: Date;
  error: string | null;
  /** Set for a connection carried from a person's laptop by `warren connect`: who. */
  via?: ConnectPerson;
};

/** The person a connection from a laptop or a browser was carried for, and how: `warren connect`, `warren expose` (its owner), or a web tunnel's app host. */
export type ConnectPerson = { userId: string; email: string; by: "connect" | "expose" | "web" /** expose: the client's address. */; client?: string };

/** Refusals from `address` not recorded one by one, between `first` and `last` (refusal-digest.ts). */
export type RefusalSummary = { tunnelId: string; hostId: string; address: string; reason: string; count: number; first: Date; last: Date };

/** A tunnel's totals as they are stored (the live count of open connections is not). */
export type TunnelCounters = Pick<LiveStats, "bytesIn" | "bytesOut" | "connectionsTotal">;

/** Given to the worker when it starts. */
export type DataPlaneSettings = { refusalSummaryMs: number };

/** The worker's operations; the engine calls each through DataPlane. */
export type DataPlaneOps = {
  /** Opens an SSH connection, known from then on as `linkId`, into its host's pool (channel-pool.ts) as `role`. */
  connect(input: { linkId: string; hostId: string; target: SshTarget; role: LinkRole }): Promise<{ fingerprint: string }>;
  disconnect(input: { linkId: string }): Promise<void>;
  /** Binds a tunnel's listener (local, dynamic); nothing is kept if it fails. */
  listen(input: { tunnel: RuntimeTunnel; counters: TunnelCounters }): Promise<void>;
  /** Puts a tunnel on its host's live SSH connections (a remote one's listener on the least loaded); answers a warning for its owner, if any. */
  attach(input: { tunnelId: string }): Promise<string | undefined>;
  /** Binds again, on another live connection, the host's remote tunnels whose connection is gone; answers those it could not, with why (they are detached). */
  rebind(input: { hostId: string }): Promise<[tunnelId: string, reason: string][]>;
  /** The host's live SSH connections now. */
  pool(input: { hostId: string }): Promise<PoolSnapshot>;
  detach(input: { tunnelId: string }): Promise<void>;
  /** Closes a tunnel's listener and connections; its records are sent before this answers. */
  teardown(input: { tunnelId: string }): Promise<LiveStats | undefined>;
  setAllowedSources(input: { tunnelId: string; sources: string[] }): Promise<void>;
  /** The address of the `warren expose` client holding a remote tunnel's far end (null: none), for its connections' records. */
  setClientAddress(input: { tunnelId: string; address: string | null }): Promise<void>;
  /** A new host policy for an open tunnel; answers why the tunnel itself is no longer allowed, if it is not. */
  setPolicy(input: { tunnelId: string; policy: HostPolicy }): Promise<string | undefined>;
  /** A tunnel's connections open now (undefined: the tunnel is not open in the data plane). */
  connections(input: { tunnelId: string }): Promise<OpenConnection[] | undefined>;
  /** Cuts one open connection, `reason` becoming its record's error; answers it once its record was sent (undefined: no such open connection). */
  kill(input: { tunnelId: string; connectionId: string; reason: string }): Promise<OpenConnection | undefined>;
  /** While `reason` is not null, every tunnel refuses new connections with it (the engine's records are behind). */
  refuseNew(input: { reason: string | null }): Promise<void>;
  /** Sends every tunnel's counters now, as a "stats" event. */
  snapshot(input: Record<string, never>): Promise<void>;
};

export type Op = keyof DataPlaneOps;

export type WireError = { name: string; message: string; code?: string; step?: SshStep; offeredFingerprint?: string };

export type Request = { [K in Op]: { id: number; op: K; input: Parameters<DataPlaneOps[K]>[0] } }[Op];

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/** Told by the worker unasked, in the order things happened. `stats`: the tunnel's counters just after. */
export type DataPlaneEvent =
  | {
      event: "opened";
      tunnelId: string;
      connectionId: string;
      hostId: string;
      source: string;
      destination: string | null;
      via?: ConnectPerson;
      stats: LiveStats;
    }
  | { event: "closed"; hostId: string; record: ConnectionRecord; stats: LiveStats }
  | { event: "refused"; tunnelId: string; hostId: string; source: string; destination: string | null; reason: string; via?: ConnectPerson }
  | ({ event: "refused-many" } & RefusalSummary)
  | { event: "link-closed"; linkId: string; reason: string }
  /** Every live connection of the host is loaded or stalled: another would help. */
  | { event: "pool-busy"; hostId: string }
  | { event: "stats"; tunnels: [string, LiveStats][] };

/** The engine → the worker, outside requests and answers: the bytes and ends
 *  of `warren connect` connections (server/connect/), a batch per turn, their
 *  chunks transferred, not copied. `credit`: bytes the main thread passed on
 *  to the WebSocket, which the worker may now send again. */
export type StreamCommand =
  | { stream: number; do: "open"; tunnelId: string /** The laptop's address. */; source: string; via: ConnectPerson }
  | { stream: number; do: "data"; chunk: ArrayBuffer }
  | { stream: number; do: "end" }
  | { stream: number; do: "reset"; reason: string }
  | { stream: number; do: "credit"; bytes: number };

/** The worker → the engine, in the same batches as its events. `closed`:
 *  the stream is over, `reset` (a reason) when it did not end cleanly. */
export type StreamNews =
  /** A connection at a remote tunnel's far end for its `warren expose` client; the worker numbers these streams below 0. */
  | { stream: number; news: "incoming"; tunnelId: string; source: string }
  | { stream: number; news: "data"; chunk: ArrayBuffer }
  | { stream: number; news: "end" }
  | { stream: number; news: "credit"; bytes: number }
  | { stream: number; news: "closed"; reset: string | null };
