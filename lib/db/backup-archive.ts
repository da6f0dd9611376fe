// `warren backup FILE` and `warren restore FILE`: a SQLite database and the
// data directory's files it cannot be used without, in one tar archive.
//
// The archive holds backup.json (what it is, first), warren.db, the secrets
// Warren generated (secret-key: stored SSH keys and the audit chain's seals;
// auth-secret: sessions) and audit-head.log (the chain's head anchor). A
// secret given by the environment is not in the data directory, so not in
// the archive. The engine's journal is left out: it holds at most the last
// second's connection records, and replayed on another node name it would
// commit them twice.
//
// PostgreSQL is refused: its database is backed up with pg_dump (see
// docs/operations.md), and its keys are in the environment.
import { createReadStream, createWriteStream, existsSync, linkSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import Database from "better-sqlite3";
import tar from "tar-stream";
import { ANCHOR_FILE } from "@/lib/audit/audit-anchor";
import { type DatabaseConfig, GENERATED_SECRET_FILES } from "@/lib/config";

export class BackupError extends Error {}

const FORMAT = "warren-backup-1";
const MANIFEST = "backup.json";
const DATABASE = "warren.db";
/** Every name an archive may hold besides the manifest: nothing else is ever written on restore. */
const DATA_DIR_FILES = [...Object.values(GENERATED_SECRET_FILES), ANCHOR_FILE];

type Location = { dataDir: string; database: DatabaseConfig };
type Env = Record<string, string | undefined>;
type Manifest = { format: string; createdAt: string; files: string[] };

function sqliteOnly(database: DatabaseConfig, command: string): asserts database is Extract<DatabaseConfig, { provider: "sqlite" }> {
  if (database.provider !== "sqlite") {
    throw new BackupError(
      `${command} handles a SQLite database; this Warren uses PostgreSQL (DATABASE_URL): ${command === "backup" ? "back it up with pg_dump" : "restore it with pg_restore"}, and keep the data directory's audit-head.log with it (docs/operations.md)`,
    );
  }
}

/** SQLite's online backup API, all pages in one step: one read transaction,
 *  so the copy is the database as one moment left it, and Warren keeps writing
 *  meanwhile (WAL). Page by page, every write of the running Warren (about one
 *  a second) would restart the copy from the start. The copy lives in a
 *  directory of its own (mode 0700) beside the archive while `use` runs. */
async function withSnapshot<T>(databaseFile: string, besides: string, use: (snapshot: string) => Promise<T>): Promise<T> {
  const scratch = mkdtempSync(path.join(path.dirname(path.resolve(besides)), ".warren-backup-"));
  try {
    const snapshot = path.join(scratch, DATABASE);
    const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
    try {
      await db.backup(snapshot, { progress: () => 0x7fffffff });
    } finally {
      db.close();
    }
    return await use(snapshot);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The manifest, the database and the data directory's files, in that order, as a tar into `fd`. */
async function packArchive(fd: number, manifest: Manifest, snapshot: string, dataDirFiles: { name: string; content: Buffer }[]) {
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream("", { fd }));
  written.catch(() => {}); // awaited below; a failed write also fails the entry being added
  // A pack's entries go one after the other: each is finished before the next starts.
  const add = (name: string, content: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o600 }, content, (error) => (error ? reject(error) : resolve())));
  await add(MANIFEST, Buffer.from(`${JSON.stringify(manifest)}\n`));
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name: DATABASE, mode: 0o600, size: statSync(snapshot).size }, (error) => (error ? reject(error) : resolve()));
    pipeline(createReadStream(snapshot), entry).catch(reject);
  });
  for (const { name, content } of dataDirFiles) await add(name, content);
  pack.finalize();
  await written;
}

/** Writes the archive to `file` (a new file, mode 0600); answers the names it holds. */
export async function writeBackup({ file, location, env = process.env }: { file: string; location: Location; env?: Env }): Promise<string[]> {
  sqliteOnly(location.database, "backup");
  const databaseFile = location.database.file;
  if (!existsSync(databaseFile)) throw new BackupError(`there is no database at ${databaseFile} to back up`);
  // A secret's file is left out when the environment gives the secret: Warren does not use it.
  const unused: string[] = Object.entries(GENERATED_SECRET_FILES).flatMap(([setting, name]) => (env[setting] ? [name] : []));
  const names = DATA_DIR_FILES.filter((name) => !unused.includes(name) && existsSync(path.join(location.dataDir, name)));
  // The anchor is read before the snapshot: it then names no record the snapshot lacks.
  const dataDirFiles = names.map((name) => ({ name, content: readFileSync(path.join(location.dataDir, name)) }));
  const manifest: Manifest = { format: FORMAT, createdAt: new Date().toISOString(), files: [DATABASE, ...names] };
  const archive = createArchive(file);
  try {
    await withSnapshot(databaseFile, file, (snapshot) => packArchive(archive, manifest, snapshot, dataDirFiles));
    return manifest.files;
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  }
}

/** A new file for the archive, mode 0600, never over an existing one. */
function createArchive(file: string): number {
  try {
    return openSync(file, "wx", 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BackupError(code === "EEXIST" ? `${file} already exists: a backup goes into a new file` : `cannot create ${file} (${code})`);
  }
}

function manifestOf(content: Buffer): Manifest | undefined {
  try {
    const parsed = JSON.parse(content.toString("utf8")) as Partial<Manifest> | null;
    return typeof parsed?.format === "string" ? (parsed as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

/** Where each archived file goes on restore. */
const destinationOf = (name: string, dataDir: string, databaseFile: string) => (name === DATABASE ? databaseFile : path.join(dataDir, name));

/** Puts an archive back into a data directory without a database; answers the names restored. */
export async function restoreBackup({ file, location }: { file: string; location: Location }): Promise<string[]> {
  const { dataDir, database } = location;
  sqliteOnly(database, "restore");
  const present = [DATABASE, ...DATA_DIR_FILES].map((name) => destinationOf(name, dataDir, database.file)).filter((destination) => existsSync(destination));
  if (present.length) {
    throw new BackupError(
      `WARREN_DATA_DIR (${dataDir}) is not empty: ${present.join(", ")} already there; restore only into a data directory without a database, so that nothing is overwritten (move them aside, or set another WARREN_DATA_DIR)`,
    );
  }
  if (!existsSync(file)) throw new BackupError(`there is no backup at ${file}`);
  // Each file is written beside its place, and moved there only once the whole archive was read.
  const restoring: { name: string; temporary: string; destination: string }[] = [];
  let manifest: Manifest | undefined;
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    const refuse = (reason: string) => {
      stream.resume();
      next(new BackupError(`${file} is not a Warren backup: ${reason}`));
    };
    if (header.name === MANIFEST && !manifest) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        manifest = manifestOf(Buffer.concat(chunks));
        if (!manifest) return refuse(`its ${MANIFEST} is not one`);
        next(manifest.format === FORMAT ? undefined : new BackupError(`${file} is in format ${manifest.format}, which this Warren does not know`));
      });
      return;
    }
    if (!manifest) return refuse(`it does not begin with ${MANIFEST}`);
    const known = header.name === DATABASE || DATA_DIR_FILES.includes(header.name);
    if (header.type !== "file" || !known || restoring.some((entry) => entry.name === header.name)) return refuse(`it holds ${header.name}`);
    const destination = destinationOf(header.name, dataDir, database.file);
    const temporary = `${destination}.restoring`;
    restoring.push({ name: header.name, temporary, destination });
    pipeline(stream, createWriteStream(temporary, { flags: "wx", mode: 0o600 })).then(() => next(), next);
  });
  try {
    await pipeline(createReadStream(file), extract).catch((error: Error) => {
      throw error instanceof BackupError ? error : new BackupError(`${file} is not a Warren backup (${error.message})`);
    });
    if (!restoring.some((entry) => entry.name === DATABASE)) throw new BackupError(`${file} holds no database`);
    // A hard link fails rather than replace a file that appeared meanwhile.
    for (const { temporary, destination } of restoring) linkSync(temporary, destination);
  } finally {
    for (const { temporary } of restoring) rmSync(temporary, { force: true });
  }
  return restoring.map((entry) => entry.name);
}
