import type { Clock } from '@app/clock';

/**
 * The one retry policy of the ElevenLabs adapter: exponential backoff with jitter. The socket's
 * reconnects and the REST client's retries both take their delays from here.
 */
export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  initialDelayMs: number;
  /** Ceiling of any delay, ms. */
  maxDelayMs: number;
  /** Growth factor between consecutive delays. */
  multiplier: number;
  /** Share of each delay (0..1) that jitter may take away, so that many calls do not retry in step. */
  jitterRatio: number;
}

export class BackoffPolicy {
  readonly options: BackoffOptions;

  constructor(
    defaults: BackoffOptions,
    overrides: Partial<BackoffOptions> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...defaults, ...overrides };
  }

  /** Delay before retry number `attempt` (1 for the first retry), in [base * (1 - jitterRatio), base]. */
  delayMs(attempt: number): number {
    const { initialDelayMs, maxDelayMs, multiplier, jitterRatio } = this.options;
    const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** Math.max(0, attempt - 1));
    const jitter = Math.min(1, Math.max(0, jitterRatio)) * this.random();
    return Math.max(0, Math.round(base * (1 - jitter)));
  }
}

export interface RetryOptions<E> {
  policy: BackoffPolicy;
  /** Total attempts including the first. */
  maxAttempts: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Turns whatever was thrown into the adapter's error (classified once, here). */
  classify: (error: unknown) => E & { retryable: boolean };
  /** A server-imposed delay (e.g. Retry-After) that replaces the policy's, ms. */
  delayOverrideMs?: (error: E) => number | undefined;
  onRetry?: (error: E, attempt: number, delayMs: number) => void;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T, E>(attempt: (n: number) => Promise<T>, options: RetryOptions<E>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (thrown) {
      const error = options.classify(thrown);
      if (!error.retryable || n >= options.maxAttempts || options.signal?.aborted) throw error;
      const delay = options.delayOverrideMs?.(error) ?? options.policy.delayMs(n);
      options.onRetry?.(error, n, delay);
      try {
        await options.clock.sleep(delay, options.signal);
      } catch (abortReason) {
        throw options.classify(abortReason);
      }
    }
  }
}
