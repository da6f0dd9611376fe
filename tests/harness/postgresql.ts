// A throwaway PostgreSQL server for tests: a cluster of its own in a temp
// directory, trusted on 127.0.0.1 and on a Unix socket in that directory. Warren
// processes in network namespaces reach it through the socket, which a network
// namespace does not hide. Started by pg_ctl (as the `postgres` user when the
// tests run as root, since PostgreSQL refuses to run as root).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./free-port";

const run = promisify(execFile);

/** The newest PostgreSQL Debian installed. */
function binaries(): string {
  const root = "/usr/lib/postgresql";
  const versions = (() => {
    try {
      return readdirSync(root).sort((a, b) => Number(b) - Number(a));
    } catch {
      return [];
    }
  })();
  if (!versions[0]) throw new Error("PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL tests need it");
  return path.join(root, versions[0], "bin");
}

const asRoot = process.getuid?.() === 0;
const as = (command: string, args: string[]) => (asRoot ? run("runuser", ["-u", "postgres", "--", command, ...args]) : run(command, args));

export type PostgresqlHandle = {
  /** Superuser URL of the `postgres` database, through the socket. */
  adminUrl: string;
  port: number;
  socketDir: string;
  /** The URL of `database` (made if missing) on this server, through the socket. */
  database(name: string): Promise<string>;
  /** Fast shutdown: open connections are ended, as when an operator restarts PostgreSQL. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

export type PostgresqlOptions = {
  /** Keep PostgreSQL's durability settings (fsync, synchronous_commit, full_page_writes: on, as on a real server); tests turn them off. */
  durable?: boolean;
};

export async function startPostgresql({ durable = false }: PostgresqlOptions = {}): Promise<PostgresqlHandle> {
  const bin = binaries();
  const dir = await mkdtemp(path.join(os.tmpdir(), "warren-pg-"));
  await chmod(dir, 0o777);
  const data = path.join(dir, "data");
  const port = await freePort();
  await as(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"]);
  // Durability settings off: a test cluster is thrown away, and they cost the suite minutes.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300${durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"}`;
  const pgCtl = (args: string[]) => as(path.join(bin, "pg_ctl"), ["-D", data, "-w", ...args]);
  const start = async () => {
    await pgCtl(["-l", path.join(dir, "server.log"), "-o", options, "start"]);
  };
  const urlOf = (name: string) => `postgresql://postgres@localhost:${port}/${name}?host=${encodeURIComponent(dir)}`;
  await start();
  return {
    adminUrl: urlOf("postgres"),
    port,
    socketDir: dir,
    async database(name) {
      await createDatabase(urlOf("postgres"), name);
      return urlOf(name);
    },
    stop: async () => {
      await pgCtl(["-m", "fast", "stop"]);
    },
    start,
    async dispose() {
      await pgCtl(["-m", "immediate", "stop"]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Which database a test's Warren uses. With WARREN_TEST_POSTGRESQL (the admin
// URL of the server postgresql-setup.ts starts for the integration-postgresql
// project), every data directory gets a PostgreSQL database of its own, named
// after it, so a Warren restarted on its old data finds its old database;
// without it, SQLite in the data dir.
export const onPostgresql = () => Boolean(process.env.WARREN_TEST_POSTGRESQL);

/** The keys every node on one PostgreSQL database shares: here, one pair per database. */
export function sharedSecretsFor(databaseUrl: string) {
  const seed = createHash("sha256").update(databaseUrl).digest("hex");
  return { WARREN_SECRET_KEY: seed, AUTH_SECRET: `auth-${seed}` };
}

/** The DATABASE_URL (made if missing) and the shared keys for a Warren on `dataDir`, or nothing for its SQLite default. */
export async function databaseEnvFor(dataDir: string): Promise<{ DATABASE_URL?: string; WARREN_SECRET_KEY?: string; AUTH_SECRET?: string }> {
  const admin = process.env.WARREN_TEST_POSTGRESQL;
  if (!admin) return {};
  const name = `warren_${createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 20)}`;
  await createDatabase(admin, name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString(), ...sharedSecretsFor(url.toString()) };
}

/** Makes database `name` on the server `adminUrl` points at, unless it exists. */
export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a database name for tests: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
