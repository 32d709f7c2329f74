/**
 * The benchmark's statistics: nearest-rank percentiles, so every figure printed is a value that was
 * actually measured (no interpolation between two turns that never happened), and one summary shape
 * for every latency the report carries.
 */
export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** A distribution plus how many samples it was computed from (0: the figures are all zero). */
export interface Summary extends Distribution {
  count: number;
}

/** Figures are printed and serialised to a tenth of a millisecond (or percent, or MB). */
export const FIGURE_DECIMALS = 1;

export function roundFigure(value: number, decimals = FIGURE_DECIMALS): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/**
 * The nearest-rank percentile of `sorted` (ascending): the smallest sample with at least p % of the
 * samples at or below it. p in (0, 100]; undefined for an empty sample.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50/p95/p99/max of the finite values in `samples`, rounded; all zero with count 0 when there are none. */
export function summarise(samples: readonly (number | undefined)[]): Summary {
  const sorted = samples.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0, count: 0 };
  return {
    p50: roundFigure(percentile(sorted, 50)!),
    p95: roundFigure(percentile(sorted, 95)!),
    p99: roundFigure(percentile(sorted, 99)!),
    max: roundFigure(sorted[sorted.length - 1]),
    count: sorted.length,
  };
}

/** a / b rounded to three decimals; undefined when either side is missing or b is not positive. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !(b > 0)) return undefined;
  return roundFigure(a / b, 3);
}
