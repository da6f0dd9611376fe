// One SQLite connection serves the whole process, and the driver adapter
// only keeps transactions from overlapping each other: a statement from
// outside an open interactive transaction ran on the same connection, inside
// it. A write answered as done then vanished when that transaction rolled
// back (an audit append losing its race to the CLI, a database locked past
// the busy timeout), and a read saw rows that were never committed. Here
// every statement outside a transaction waits for the open one to end, as it
// would on a connection of its own.
//
// A database another process holds locked (the CLI, a backup, sqlite3) is
// waited for here, in short tries with pauses between them, rather than in
// SQLite's busy handler: better-sqlite3 runs on the event loop, and a busy
// timeout of seconds froze the whole process that long, the tunnels' news
// included. Between tries the turn goes to the next statement: reads need
// no lock (WAL), so pages go on. A transaction takes the write lock as it
// begins (BEGIN IMMEDIATE), the one point it may have to wait for it.
import { setTimeout as sleep } from "node:timers/promises";
import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type Factory = Pick<PrismaBetterSQLite3, "provider" | "adapterName" | "connect">;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;
type Release = () => void;

/** SQLite's own busy handler: short, for it blocks the event loop. */
export const BUSY_TIMEOUT_MS = 25;
/** How long, in all, a statement or a transaction's start waits for a lock another process holds, before it fails with SQLite's "database is locked". */
const LOCK_PATIENCE_MS = 10_000;
/** Prisma's default for how long a transaction may take to start (2 s) would give up first: as long as a statement waits, and a little more for its turn. */
export const TRANSACTION_MAX_WAIT_MS = LOCK_PATIENCE_MS + 2_000;
const MAX_PAUSE_MS = 100;

/** SQLITE_BUSY itself: the lock is held elsewhere, and trying again is what a busy handler would do. */
const lockedElsewhere = (error: unknown) => (error as { cause?: { originalCode?: unknown } }).cause?.originalCode === "SQLITE_BUSY";

/** Turns in the order asked for; a turn lasts until its release (calling it again does nothing). */
function turns(): () => Promise<Release> {
  let last: Promise<void> = Promise.resolve();
  return () => {
    let release!: Release;
    const done = new Promise<void>((resolve) => (release = resolve));
    const mine = last.then(() => release);
    last = last.then(() => done);
    return mine;
  };
}

export function serialAdapter(factory: Factory): Factory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => serialize(await factory.connect()),
  };
}

function serialize(adapter: Adapter): Adapter {
  const turn = turns();
  /** A turn in which `start` succeeded, tried again in a new turn after a pause while another process holds the lock. */
  const turnWith = async <T>(start: () => Promise<T>, patience = LOCK_PATIENCE_MS): Promise<[T, Release]> => {
    const giveUpAt = Date.now() + patience;
    for (let pause = 5; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      const release = await turn();
      try {
        return [await start(), release];
      } catch (error) {
        release();
        if (!lockedElsewhere(error) || Date.now() >= giveUpAt) throw error;
      }
      await sleep(pause);
    }
  };
  const alone = async <T>(run: () => Promise<T>, patience?: number): Promise<T> => {
    const [result, release] = await turnWith(run, patience);
    release();
    return result;
  };
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => alone(() => adapter.queryRaw(query)),
    executeRaw: (query) => alone(() => adapter.executeRaw(query)),
    executeScript: (script) => alone(() => adapter.executeScript(script), 0), // not tried again: it may have run in part
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
    async startTransaction(isolationLevel) {
      // The adapter's own refuses every level but SERIALIZABLE, which SQLite's transactions are.
      if (isolationLevel && isolationLevel !== "SERIALIZABLE") return adapter.startTransaction(isolationLevel);
      const [, release] = await turnWith(() => adapter.executeScript("BEGIN IMMEDIATE"));
      return heldUntilItEnds(adapter, release);
    },
  };
}

/** The transaction BEGIN IMMEDIATE opened on the connection, which keeps the turn until it ends. Prisma sends
 *  its COMMIT or ROLLBACK (usePhantomQuery: false), then calls commit() or rollback(), as with the adapter's own. */
function heldUntilItEnds(adapter: Adapter, release: Release): Transaction {
  const end = async () => release();
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    options: { usePhantomQuery: false },
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    commit: end,
    rollback: end,
  };
}
