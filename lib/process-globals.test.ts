import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const root = path.resolve(__dirname, "..");

function sourceFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (statSync(full).isFile()) return /\.tsx?$/.test(entry) && !entry.endsWith(".test.ts") ? [entry] : [];
  return readdirSync(full)
    .filter((name) => name !== "generated" && name !== "node_modules")
    .flatMap((name) => sourceFiles(path.join(entry, name)));
}

describe("process globals", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("are the only code that reaches globalThis (a cast, or a property of it)", () => {
    const reaching = ["app", "bin", "lib", "server", "tests", "proxy.ts"]
      .flatMap(sourceFiles)
      .filter((file) => /\bglobalThis\s*(as\b|\.\w|\[)/.test(readFileSync(path.join(root, file), "utf8")));
    expect(reaching).toEqual([path.join("lib", "process-globals.ts")]);
  });

  it("give a second copy of lib/ (Next's bundle) the same configuration as the first", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "warren-globals-"));
    vi.stubEnv("WARREN_DATA_DIR", dataDir);
    try {
      const first = (await import("@/lib/config")).getConfig();
      vi.resetModules();
      const second = await import("@/lib/config");
      expect(second.getConfig()).toBe(first);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
