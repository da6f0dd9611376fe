// `npm run db:migration` diffs prisma/schema.prisma against the schema the
// migrations end at. That schema is kept as schema.prisma in the newest
// migration folder only: each new migration takes it over from the one before.
import { existsSync } from "node:fs";
import path from "node:path";
import { listMigrations } from "@/lib/db/migrate";

const SNAPSHOT = "schema.prisma";

/** Every snapshot in `dir`'s migration folders, oldest first. */
export function snapshots(dir: string): string[] {
  return listMigrations(dir)
    .map((migration) => path.join(dir, migration.name, SNAPSHOT))
    .filter((file) => existsSync(file));
}

/** The newest migration folder's snapshot; undefined while none has one. */
export function newestSnapshot(dir: string): string | undefined {
  return snapshots(dir).at(-1);
}

/** Where a new migration folder keeps the snapshot. */
export const snapshotIn = (folder: string) => path.join(folder, SNAPSHOT);
