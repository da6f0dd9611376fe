// Source comments say what and why; figures and their history live in
// docs/performance.md, where they can be kept up to date in one place.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const roots = ["server", "lib", "bin", "scripts", "app", "proxy.ts", "patches"];
const skipped = new Set(["node_modules", "generated"]);

/** A measured figure (throughput, CPU per GB, microseconds, a before → after), or a dated piece of history. */
const measurement = /\d\s*(MB\/s|GB\/s|CPU-s|CPU\/GB|µs\b|us a call)|\d\s*(→|->)\s*\d|\b20\d\d-\d\d-\d\d(?!T)/;

function sourceFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (statSync(full).isFile()) return /\.(ts|tsx|mjs|patch)$/.test(entry) && !/\.test\.ts$/.test(entry) ? [entry] : [];
  return readdirSync(full)
    .filter((name) => !skipped.has(name))
    .flatMap((name) => sourceFiles(path.join(entry, name)));
}

/** A comment's text on this line, if the line has one. */
function commentOf(line: string): string | undefined {
  const code = line.replace(/^\+/, "");
  if (/^\s*(\/\/|\/\*|\*)/.test(code)) return code;
  const trailing = code.indexOf(" // ");
  return trailing >= 0 ? code.slice(trailing) : undefined;
}

describe("source comments", () => {
  it("carry no measurements or dated history (docs/performance.md has them)", () => {
    const found = roots.flatMap(sourceFiles).flatMap((file) =>
      readFileSync(path.join(root, file), "utf8")
        .split("\n")
        .flatMap((line, index) => {
          const comment = commentOf(line);
          return comment && measurement.test(comment) ? [`${file}:${index + 1}: ${comment.trim()}`] : [];
        }),
    );
    expect(found).toEqual([]);
  });
});
