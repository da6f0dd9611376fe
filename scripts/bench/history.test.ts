import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recordRun, runName, variantSuffix } from "./history.ts";

describe("run names", () => {
  it("name a run by its start to the minute and its variant", () => {
    expect(variantSuffix([false, null, undefined])).toBe("");
    expect(variantSuffix(["quick", false, "cubic"])).toBe("-quick-cubic");
    expect(runName("2026-12-04T16:19:42.123Z", "")).toBe("2026-12-04T1619Z");
    expect(runName("2026-12-04T17:17:05.000Z", "-load")).toBe("2026-12-04T1717Z-load");
  });
});

describe("recordRun", () => {
  let dir = "";
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("replaces latest<suffix> and appends every run to the history, adding no dated file", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bench-history-"));
    await recordRun(dir, {
      startedAt: "2026-12-04T16:19:00.000Z",
      suffix: "",
      markdown: "# first\n",
      results: { startedAt: "2026-12-04T16:19:00.000Z", figure: 1 },
    });
    const file = await recordRun(dir, {
      startedAt: "2026-12-04T17:00:00.000Z",
      suffix: "",
      markdown: "# second\n",
      results: { startedAt: "2026-12-04T17:00:00.000Z", figure: 2 },
    });
    await recordRun(dir, {
      startedAt: "2026-12-04T17:17:00.000Z",
      suffix: "-load",
      markdown: "# load\n",
      results: { startedAt: "2026-12-04T17:17:00.000Z", figure: 3 },
    });

    expect(file).toBe(path.join(dir, "latest.md"));
    expect((await readdir(dir)).sort()).toEqual(["history.jsonl", "latest-load.json", "latest-load.md", "latest.json", "latest.md"]);
    expect(await readFile(path.join(dir, "latest.md"), "utf8")).toBe("# second\n");
    expect(JSON.parse(await readFile(path.join(dir, "latest.json"), "utf8"))).toEqual({ startedAt: "2026-12-04T17:00:00.000Z", figure: 2 });
    const history = (await readFile(path.join(dir, "history.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { name: string; figure: number });
    expect(history.map(({ name, figure }) => [name, figure])).toEqual([
      ["2026-12-04T1619Z", 1],
      ["2026-12-04T1700Z", 2],
      ["2026-12-04T1717Z-load", 3],
    ]);
  });
});
