import { describe, expect, it } from "vitest";
import { evaluateTargets } from "./checks.ts";
import { formatNumber, formatSpread, markdownTable, renderReport } from "./report.ts";
import { size, type BenchResults, type Measurement } from "./results.ts";

describe("formatting", () => {
  it("keeps three significant figures and drops exponents", () => {
    expect(formatNumber(5195.4)).toBe("5195");
    expect(formatNumber(781.2)).toBe("781");
    expect(formatNumber(41.27)).toBe("41.3");
    expect(formatNumber(0.5912)).toBe("0.591");
    expect(formatNumber(0.00004123)).toBe("0.0000412");
    expect(formatNumber(0)).toBe("0");
  });

  it("writes min / median / max, the median in bold, and a single run as one number", () => {
    expect(formatSpread([812, 640, 781])).toBe("640 / **781** / 812");
    expect(formatSpread([41.27])).toBe("41.3");
  });

  it("names sizes in binary units", () => {
    expect(size(1024 ** 3)).toBe("1 GiB");
    expect(size(128 * 1024 ** 2)).toBe("128 MiB");
    expect(size(1536)).toBe("1.5 KiB");
  });
});

describe("markdownTable", () => {
  it("renders a header, an aligned rule and escaped rows", () => {
    expect(
      markdownTable(
        ["kind", "MB/s"],
        [
          ["local", "781"],
          ["a|b", "1"],
        ],
        ["left", "right"],
      ),
    ).toBe(["| kind | MB/s |", "| --- | ---: |", "| local | 781 |", "| a\\|b | 1 |"].join("\n"));
  });

  it("pads short rows so every line has as many cells as the header", () => {
    expect(markdownTable(["a", "b"], [["1"]]).split("\n")[2]).toBe("| 1 |  |");
  });
});

describe("renderReport and targets", () => {
  const measurements: Measurement[] = [
    { metric: "throughput", kind: "local", path: "warren", values: [700, 760, 800] },
    { metric: "throughput", kind: "local", path: "openssh", values: [1000, 1000, 1000] },
    { metric: "throughput", kind: "local", path: "openssh-default", values: [600, 650, 700] },
    { metric: "concurrent-errors", kind: "local", path: "warren", values: [0, 2, 0] },
    { metric: "post-active-warm", kind: null, path: "warren", values: [20, 25, 30] },
  ];
  const checks = evaluateTargets(measurements);
  const results: BenchResults = {
    startedAt: "2026-11-25T02:00:00.000Z",
    finishedAt: "2026-11-25T02:15:00.000Z",
    quick: false,
    machine: { cpu: "test CPU, 2 cores" },
    versions: { node: "v20" },
    ciphers: { warren: "aes128-gcm@openssh.com", openssh: "aes128-gcm@openssh.com", opensshDefault: "chacha20-poly1305@openssh.com" },
    workload: {
      runs: 3,
      streamBytes: 1024 ** 3,
      parallelStreams: 8,
      latencyConnections: 500,
      latencyWarmUp: 2000,
      freshConnections: 300,
      concurrentConnections: 1000,
      concurrentBytes: 1024 ** 2,
      idleTunnels: 200,
      listedTunnels: 500,
      controlSamples: 20,
    },
    measurements,
    errorSamples: ["local via warren: received 12 of 1048576 bytes"],
    checks,
  };

  it("judges medians against the reference, errors on the worst run, and skips targets with nothing measured", () => {
    expect(checks).toEqual([
      { target: "local: one stream ≥ 0.9× OpenSSH, same cipher (MB/s)", measured: "760 vs 1000 (0.76×)", holds: false },
      { target: "local: one stream ≥ OpenSSH default (MB/s)", measured: "760 vs 650 (1.17×)", holds: true },
      { target: "local: concurrent connections, zero errors (worst run)", measured: "2 errors", holds: false },
      { target: "POST → active ≤ 50 ms with the SSH connection up", measured: "25 ms", holds: true },
    ]);
  });

  it("puts kinds down and ways through across, with Warren's ratio to OpenSSH", () => {
    const report = renderReport(results);
    expect(report).toContain("### Throughput, one 1 GiB stream (MB/s)");
    expect(report).toContain("| local | 700 / **760** / 800 | 1000 / **1000** / 1000 | 600 / **650** / 700 | 0.76× |");
    expect(report).toContain("| POST /tunnels → active, SSH connection up, median of 20 (ms) | 20 / **25** / 30 |");
    expect(report).toContain("| local: concurrent connections, zero errors (worst run) | 2 errors | **no** |");
    expect(report).toContain("- local via warren: received 12 of 1048576 bytes");
  });

  it("lists the figures in their declared order, whatever order they were recorded in", () => {
    const report = renderReport({
      ...results,
      measurements: [
        { metric: "sshd-cpu-per-gb-parallel", kind: "local", path: "warren", values: [0.5] },
        { metric: "throughput", kind: "local", path: "warren", values: [760] },
        { metric: "cpu-per-gb-parallel", kind: "local", path: "warren", values: [0.7] },
      ],
    });
    const headings = report.split("\n").filter((line) => line.startsWith("### "));
    expect(headings).toEqual([
      "### Throughput, one 1 GiB stream (MB/s)",
      "### CPU seconds per GB, forwarding process (Warren or ssh), 8 parallel streams",
      "### CPU seconds per GB, sshd's side, 8 parallel streams",
    ]);
  });
});

describe("the targets added for upload, fresh tunnels and memory", () => {
  const figures = (kind: "local" | "remote", metric: Measurement["metric"], warren: number[], openssh: number[]): Measurement[] => [
    { metric, kind, path: "warren", values: warren },
    { metric, kind, path: "openssh", values: openssh },
  ];

  it("judges Warren's RSS growth against OpenSSH's peak RSS at the same load, for each kind", () => {
    const checks = evaluateTargets([
      ...figures("local", "fresh-concurrent-rss-growth", [150, 160, 170], [40, 41, 42]),
      ...figures("local", "fresh-concurrent-peak-rss", [450, 460, 470], [75, 80, 85]),
      ...figures("remote", "fresh-concurrent-rss-growth", [90], [30]),
      ...figures("remote", "fresh-concurrent-peak-rss", [300], [60]),
    ]);
    expect(checks).toEqual([
      { target: "local: RSS growth, idle → concurrent connections, ≤ 2× OpenSSH's RSS at the same load (MB)", measured: "160 vs 80 (2.00×)", holds: true },
      { target: "remote: RSS growth, idle → concurrent connections, ≤ 2× OpenSSH's RSS at the same load (MB)", measured: "90 vs 60 (1.50×)", holds: true },
    ]);
  });

  it("sets the upload and fresh-tunnel targets for -L only", () => {
    const checks = evaluateTargets([
      ...figures("local", "throughput-upload", [600], [700]),
      ...figures("remote", "throughput-upload", [300], [700]),
      ...figures("local", "fresh-latency-p50", [1.2], [0.6]),
      ...figures("remote", "fresh-latency-p50", [9], [1]),
    ]);
    expect(checks).toEqual([
      { target: "local: one upload stream ≥ 0.9× OpenSSH, same cipher (MB/s)", measured: "600 vs 700 (0.86×)", holds: false },
      { target: "local: new-connection p50 on a fresh tunnel ≤ 1.5× OpenSSH (ms)", measured: "1.2 vs 0.6 (2.00×)", holds: false },
    ]);
  });
});
