import { Clock } from '@app/clock';

/**
 * Retry and backoff for everything in the bus (connection re-dials and read-loop retries), in one place.
 */

/** First wait after a failure: most Redis hiccups (a restart, a failover, a dropped socket) are over in tens of ms. */
export const RETRY_BASE_DELAY_MS = 50;
/**
 * Longest wait between attempts. A voice call cannot afford to sit out several seconds after Redis is
 * back, and one attempt per second per connection is no load for a recovering server.
 */
export const RETRY_MAX_DELAY_MS = 1000;
/** ±20 % jitter so a fleet that lost Redis together does not reconnect in lockstep. */
export const RETRY_JITTER_FRACTION = 0.2;

/** The delay before attempt `attempt` (1-based): doubling from the base, capped, jittered. */
export function cappedBackoffDelayMs(
  attempt: number,
  baseMs = RETRY_BASE_DELAY_MS,
  maxMs = RETRY_MAX_DELAY_MS,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (1 + RETRY_JITTER_FRACTION * (2 * random() - 1));
  return Math.max(1, Math.round(Math.min(maxMs, jittered)));
}

/** Consecutive-failure counter for a retry loop: `wait()` after a failure, `reset()` after a success. */
export class RetryBackoff {
  private failures = 0;

  constructor(
    private readonly clock: Clock,
    private readonly baseMs = RETRY_BASE_DELAY_MS,
    private readonly maxMs = RETRY_MAX_DELAY_MS,
  ) {}

  /** Failures since the last success. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Counts a failure and waits its delay; rejects with the signal's reason when it aborts first. */
  async wait(signal?: AbortSignal): Promise<void> {
    this.failures++;
    await this.clock.sleep(cappedBackoffDelayMs(this.failures, this.baseMs, this.maxMs), signal);
  }

  /** Counts a failure that is retried at once (a repair was made, e.g. a group recreated). */
  countWithoutWaiting(): void {
    this.failures++;
  }

  reset(): void {
    this.failures = 0;
  }
}
