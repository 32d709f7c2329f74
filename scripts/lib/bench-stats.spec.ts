import { percentile, ratio, roundFigure, summarise } from './bench-stats';

describe('bench statistics', () => {
  describe('percentile (nearest rank)', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

    it('returns the sample with p % of the samples at or below it', () => {
      expect(percentile(hundred, 50)).toBe(50);
      expect(percentile(hundred, 95)).toBe(95);
      expect(percentile(hundred, 99)).toBe(99);
      expect(percentile(hundred, 100)).toBe(100);
    });

    it('never interpolates: every percentile is a measured value', () => {
      expect(percentile([10, 20], 50)).toBe(10);
      expect(percentile([10, 20], 51)).toBe(20);
      expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    });

    it('gives the only sample for every p, and undefined for no sample', () => {
      expect(percentile([7], 1)).toBe(7);
      expect(percentile([7], 99)).toBe(7);
      expect(percentile([], 50)).toBeUndefined();
    });

    it('rejects p outside (0, 100]', () => {
      expect(() => percentile([1], 0)).toThrow(RangeError);
      expect(() => percentile([1], 101)).toThrow(RangeError);
      expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
    });
  });

  describe('summarise', () => {
    it('sorts, drops missing and non-finite values, and rounds to 0.1', () => {
      expect(summarise([3.04, undefined, 1, Number.NaN, 2.06, Number.POSITIVE_INFINITY])).toEqual({ p50: 2.1, p95: 3, p99: 3, max: 3, count: 3 });
    });

    it('puts p99 below max once there are more than 100 samples', () => {
      const samples = [...Array.from({ length: 199 }, () => 10), 500];
      expect(summarise(samples)).toEqual({ p50: 10, p95: 10, p99: 10, max: 500, count: 200 });
    });

    it('is all zeros with count 0 for no sample, so the JSON shape never changes', () => {
      expect(summarise([])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0, count: 0 });
      expect(summarise([undefined])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0, count: 0 });
    });
  });

  it('rounds figures half away from zero at the chosen precision', () => {
    expect(roundFigure(12.345)).toBe(12.3);
    expect(roundFigure(12.35, 1)).toBe(12.4);
    expect(roundFigure(0.12345, 3)).toBe(0.123);
  });

  it('divides for ratios, with nothing to say when a side is missing or the divisor is not positive', () => {
    expect(ratio(300, 1000)).toBe(0.3);
    expect(ratio(1, 3)).toBe(0.333);
    expect(ratio(undefined, 1000)).toBeUndefined();
    expect(ratio(300, 0)).toBeUndefined();
  });
});
