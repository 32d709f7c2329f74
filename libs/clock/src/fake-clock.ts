import { Clock, TimerHandle, sleepOn } from './clock';

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

/**
 * A clock that moves only when told to. `advance(ms)` runs every timer due in that span in time
 * order (timers created while advancing run too if due), so tests of keepalives, pacing and leases
 * are exact and instant.
 */
export class FakeClock implements Clock {
  private current: number;
  private timers = new Map<number, FakeTimer>();
  private nextId = 1;

  constructor(
    start = 0,
    private readonly epochOrigin = 1_700_000_000_000,
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }
  epochNow(): number {
    return this.epochOrigin + this.current;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const every = Math.max(1, ms);
    this.timers.set(id, { id, at: this.current + every, fn, every });
    return id;
  }
  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Number of timers waiting (to prove that nothing leaks after a call ends). */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward, running due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.current = next.at;
      if (next.every) next.at += next.every;
      else this.timers.delete(next.id);
      next.fn();
    }
    this.current = target;
  }

  /** Like advance, but lets promise continuations run between timers (for async code under test). */
  async advanceAsync(ms: number, stepMs = ms): Promise<void> {
    const target = this.current + ms;
    while (this.current < target) {
      const step = Math.min(stepMs, target - this.current);
      const stepTarget = this.current + step;
      for (;;) {
        const next = this.nextDue(stepTarget);
        if (!next) break;
        this.current = next.at;
        if (next.every) next.at += next.every;
        else this.timers.delete(next.id);
        next.fn();
        await flushMicrotasks();
      }
      this.current = stepTarget;
      await flushMicrotasks();
    }
  }

  private nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    }
    return best;
  }
}

export async function flushMicrotasks(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
