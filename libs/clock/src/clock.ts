/**
 * Everything that touches time takes a Clock, so tests drive a 10-minute call in milliseconds and
 * assert exact behaviour. `now()` is monotonic (pacing, timeouts); `epochNow()` is wall time in ms
 * with sub-millisecond precision, used only for timestamps that cross process boundaries.
 */
export type TimerHandle = { readonly __timer: unique symbol } | NodeJS.Timeout | number;

export interface Clock {
  now(): number;
  epochNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const CLOCK = Symbol('CLOCK');

export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }
  epochNow(): number {
    return performance.timeOrigin + performance.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return setTimeout(fn, ms);
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    return setInterval(fn, ms);
  }
  clearInterval(handle: TimerHandle | undefined): void {
    if (handle !== undefined) clearInterval(handle as NodeJS.Timeout);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock = new SystemClock();
