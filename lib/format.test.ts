import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, timeLeft } from "@/lib/format";

describe("format", () => {
  it("formats bytes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1024 * 1024)).toBe("1.0 MiB");
    expect(formatBytes(300 * 1024 ** 3)).toBe("300 GiB");
  });

  it("formats durations with the two largest units", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(3_600_000 + 5 * 60_000 + 7_000)).toBe("1 h 5 min");
    expect(formatDuration(2 * 86_400_000)).toBe("2 d");
  });

  it("counts down to expiry", () => {
    expect(timeLeft("2026-01-01T01:00:00Z", Date.parse("2026-01-01T00:00:00Z"))).toBe("1 h left");
    expect(timeLeft("2026-01-01T00:00:00Z", Date.parse("2026-01-01T00:00:01Z"))).toBe("expired");
  });
});
