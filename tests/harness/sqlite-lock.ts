// Another process holding SQLite's write lock on a database file, as the
// CLI, a backup or an operator's sqlite3 would.
import { spawn } from "node:child_process";
import { REPO_ROOT } from "@/tests/harness/warren";

/**
 * Takes the exclusive lock on `file` in another process. It holds the lock for at least `ms` and until
 * `release()`, which resolves once the lock is gone: a fixed time alone would race a slow machine.
 */
export async function holdDatabaseLock(file: string, ms = 0): Promise<{ release(): Promise<void> }> {
  const script = `
    const db = new (require("better-sqlite3"))(process.argv[1]);
    db.exec("BEGIN EXCLUSIVE");
    console.log("locked");
    const held = new Promise((resolve) => setTimeout(resolve, Number(process.argv[2])));
    const released = new Promise((resolve) => process.stdin.on("end", resolve).resume());
    Promise.all([held, released]).then(() => { db.exec("COMMIT"); db.close(); });`;
  const holder = spawn(process.execPath, ["-e", script, file, String(ms)], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => holder.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once("data", () => resolve());
    holder.once("exit", (code) => reject(new Error(`the lock holder exited (${code}) before locking`)));
  });
  return {
    release() {
      holder.stdin.end();
      return exited;
    },
  };
}
