import { FakeClock, flushMicrotasks } from '@app/clock';
import { createLogger } from '@app/telemetry';
import { DRAIN_MAX_MS, K8S_TERMINATION_GRACE_MS, PRE_STOP_MS, drainCalls } from './drain-calls';

/** Calls held by the instance, ended by the test. */
class HeldCalls {
  size: number;
  private waiters: Array<() => void> = [];
  constructor(size: number) {
    this.size = size;
  }
  whenEmpty(): Promise<void> {
    return this.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
  end(): void {
    if (--this.size === 0) this.waiters.splice(0).forEach((resolve) => resolve());
  }
}

describe('drainCalls (SIGTERM)', () => {
  const logger = createLogger('test', 'silent');

  it('fits the pod’s grace period, preStop included, with room for the rest of shutdown', () => {
    expect(PRE_STOP_MS + DRAIN_MAX_MS).toBeLessThan(K8S_TERMINATION_GRACE_MS);
    expect(DRAIN_MAX_MS).toBeGreaterThanOrEqual(5 * 60_000); // a long call can still finish
  });

  it('waits for the held calls to end, then returns at once, leaving no timer', async () => {
    const clock = new FakeClock();
    const calls = new HeldCalls(2);
    let outcome: string | undefined;
    void drainCalls(calls, clock, logger, 60_000).then((o) => (outcome = o));
    await clock.advanceAsync(30_000, 1000);
    calls.end();
    await flushMicrotasks();
    expect(outcome).toBeUndefined(); // one call still playing
    calls.end();
    await flushMicrotasks();
    expect(outcome).toBe('empty');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('gives up at the bound when calls are still playing', async () => {
    const clock = new FakeClock();
    const calls = new HeldCalls(1);
    let outcome: string | undefined;
    void drainCalls(calls, clock, logger, 60_000).then((o) => (outcome = o));
    await clock.advanceAsync(59_999, 1000);
    expect(outcome).toBeUndefined();
    await clock.advanceAsync(1);
    expect(outcome).toBe('bound');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('returns at once when nothing is held', async () => {
    const clock = new FakeClock();
    await expect(drainCalls(new HeldCalls(0), clock, logger)).resolves.toBe('empty');
    expect(clock.pendingTimers()).toBe(0);
  });
});
