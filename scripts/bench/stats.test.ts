import { describe, expect, it } from "vitest";
import { median, percentile, ratioOfMedians, spread } from "./stats.ts";

describe("percentile", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

  it("picks the nearest-rank sample", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
  });

  it("never interpolates between samples", () => {
    expect(percentile([1, 1000], 50)).toBe(1);
    expect(percentile([1, 1000], 51)).toBe(1000);
  });

  it("refuses no samples and percentiles outside 0–100", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it("leaves its input alone", () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe("median, spread and ratios", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("gives min, median and max over runs", () => {
    expect(spread([781, 640, 812])).toEqual({ min: 640, median: 781, max: 812 });
    expect(spread([9])).toEqual({ min: 9, median: 9, max: 9 });
    expect(() => spread([])).toThrow(RangeError);
  });

  it("divides medians, and refuses to divide by zero", () => {
    expect(ratioOfMedians([900, 1000, 800], [1000, 1000, 1000])).toBe(0.9);
    expect(ratioOfMedians([1], [0, 0, 5])).toBeNull();
  });
});
