// One SQLite connection serves the whole process, and the driver adapter
// only keeps transactions from overlapping each other: a statement from
// outside an open interactive transaction ran on the same connection, inside
// it. A write answered as done then vanished when that transaction rolled
// back (an audit append losing its race to the CLI, a database locked past
// the busy timeout), and a read saw rows that were never committed. Here
// every statement outside a transaction waits for the open one to end, as it
// would on a connection of its own.
import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type Factory = Pick<PrismaBetterSQLite3, "provider" | "adapterName" | "connect">;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;
type Release = () => void;

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
  const alone = async <T>(run: () => Promise<T>): Promise<T> => {
    const release = await turn();
    try {
      return await run();
    } finally {
      release();
    }
  };
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => alone(() => adapter.queryRaw(query)),
    executeRaw: (query) => alone(() => adapter.executeRaw(query)),
    executeScript: (script) => alone(() => adapter.executeScript(script)),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
    async startTransaction(isolationLevel) {
      const release = await turn();
      try {
        return heldUntilItEnds(await adapter.startTransaction(isolationLevel), release);
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}

/** The transaction keeps the turn until it commits or rolls back. */
function heldUntilItEnds(transaction: Transaction, release: Release): Transaction {
  const ending = (end: () => Promise<void>) => async () => {
    try {
      await end();
    } finally {
      release();
    }
  };
  return {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query) => transaction.queryRaw(query),
    executeRaw: (query) => transaction.executeRaw(query),
    commit: ending(() => transaction.commit()),
    rollback: ending(() => transaction.rollback()),
  };
}
