/** Gives back a slot; calling it again does nothing. */
export type ReleaseSlot = () => void;

/**
 * At most `max` holders at a time; the others wait in arrival order. A waiter whose signal aborts
 * leaves the line (rejecting with the signal's reason) without ever taking a slot.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly line: Array<{ grant: () => void; signal?: AbortSignal; onAbort: () => void }> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.line.length;
  }

  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const waiter = {
        signal,
        grant: () => resolve(this.releaser()),
        onAbort: () => {
          const index = this.line.indexOf(waiter);
          if (index >= 0) this.line.splice(index, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.line.push(waiter);
    });
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.line.shift();
      if (!next) {
        this.active--;
        return;
      }
      next.signal?.removeEventListener('abort', next.onAbort);
      next.grant(); // the slot passes straight on: `active` is unchanged
    };
  }
}
