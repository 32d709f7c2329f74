import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_LEAD_MS, DEFAULT_TICK_MS, PacerCallStats } from '../pacing';

/**
 * Real-time tests share two cores with everything else on the machine; when this process is starved
 * (the event loop stalls), no pacer can keep audio flowing. The pacer's promise is precise: a stall up
 * to lead − frame − tick costs nothing. StallWatch measures the longest stall during a test, so a
 * test asserts "no gap" whenever the stalls stayed within that budget, and otherwise that every gap is
 * one the worker itself measured (its `underruns`), never a silent one.
 */
export const FRAME_MS = 20;
/** The longest event-loop stall the default pacing absorbs without a gap (80 ms). */
export const PACER_STALL_BUDGET_MS = DEFAULT_LEAD_MS - FRAME_MS - DEFAULT_TICK_MS;
/** Sampling period of the stall monitor: a stall is seen to within this. */
const RESOLUTION_MS = 5;

export class StallWatch {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  start(): this {
    this.histogram.reset();
    this.histogram.enable();
    return this;
  }

  /** The longest stall (ms) since start, beyond the monitor's own period. */
  get maxStallMs(): number {
    return Math.max(0, this.histogram.max / 1e6 - RESOLUTION_MS);
  }

  /** Within the budget, nothing excuses a gap. */
  get withinBudget(): boolean {
    return this.maxStallMs <= PACER_STALL_BUDGET_MS;
  }

  stop(): void {
    this.histogram.disable();
  }
}

/**
 * The ear's gaps in a stream the TTS kept ahead of (`expectedStarved`: the TTS-late ones): exactly those
 * when the process kept within the stall budget; otherwise the worker must have measured at least them.
 */
export function expectNoGapUnlessStalled(gaps: number[], stats: PacerCallStats, watch: StallWatch, expectedStarved = 0): void {
  if (watch.withinBudget) {
    expect(gaps).toHaveLength(expectedStarved);
    expect(stats).toMatchObject({ underruns: 0, starvedGaps: expectedStarved });
    return;
  }
  console.warn(`process stalled ${watch.maxStallMs.toFixed(0)} ms, beyond the pacing budget: gaps ${JSON.stringify(gaps)}`);
  expect(stats.underruns + stats.starvedGaps).toBeGreaterThanOrEqual(expectedStarved);
}
