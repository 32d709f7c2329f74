/**
 * Runs tasks so that tasks of the same partition key run one after another in submission order, while
 * different keys run concurrently; the number of accepted, unfinished tasks (queued or running) is
 * bounded. Readers check (blocking reads) or reserve (claims) capacity before they fetch, so a full
 * executor stops the reading (backpressure) instead of growing a queue.
 */
export type Task = () => Promise<void>;

/**
 * Capacity reserved ahead of a read. Each submitted task takes one slot; `release()` gives back what was
 * not used. Tasks submitted beyond the permit are still accepted (a multi-stream XREAD may return up to
 * COUNT entries per stream), so the limit can be exceeded by at most that overshoot.
 */
export class CapacityPermit {
  private remaining: number;

  constructor(
    readonly granted: number,
    private readonly giveBack: (slots: number) => void,
  ) {
    this.remaining = granted;
  }

  /** Uses one reserved slot; false when none is left. */
  take(): boolean {
    if (this.remaining === 0) return false;
    this.remaining--;
    return true;
  }

  release(): void {
    const unused = this.remaining;
    this.remaining = 0;
    if (unused > 0) this.giveBack(unused);
  }
}

export class PartitionedExecutor {
  private accepted = 0;
  private reserved = 0;
  private readonly queues = new Map<string, Task[]>();
  private readonly capacityWaiters = new Set<() => void>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly limit: number,
    /** Tasks are expected to handle their own errors; anything escaping is reported here. */
    private readonly onTaskError: (error: unknown) => void = () => undefined,
  ) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** Tasks accepted and not finished (queued behind their key, or running). */
  get inFlight(): number {
    return this.accepted;
  }

  /** Slots neither used nor reserved. */
  get available(): number {
    return Math.max(0, this.limit - this.accepted - this.reserved);
  }

  /** Reserves up to `max` slots now, possibly none. */
  tryReserve(max: number): CapacityPermit {
    const slots = Math.max(0, Math.min(max, this.available));
    this.reserved += slots;
    return new CapacityPermit(slots, (unused) => {
      this.reserved -= unused;
      this.notifyCapacity();
    });
  }

  /** Waits until at least one slot is free and reserves up to `max`; rejects when the signal aborts. */
  async reserve(max: number, signal?: AbortSignal): Promise<CapacityPermit> {
    for (;;) {
      signal?.throwIfAborted();
      const permit = this.tryReserve(max);
      if (permit.granted > 0) return permit;
      await this.capacityChange(signal);
    }
  }

  /**
   * Waits until at least one slot is free, reserving nothing. For a blocking read, which may wait a long
   * time for entries: a reservation held meanwhile would starve the other read loops of the executor
   * (in a cluster there is one loop per slot, e.g. 64 shard streams, more than `limit / batch` loops).
   */
  async whenAvailable(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.available > 0) return;
      await this.capacityChange(signal);
    }
  }

  /**
   * Accepts a task: after every earlier task of `key` has finished, or at once when `key` is undefined.
   * Takes one slot of `permit` when it has one left.
   */
  submit(key: string | undefined, task: Task, permit?: CapacityPermit): void {
    if (permit?.take()) this.reserved--;
    this.accepted++;
    if (key === undefined) {
      void this.runOne(task);
      return;
    }
    const queue = this.queues.get(key);
    if (queue) {
      queue.push(task);
      return;
    }
    this.queues.set(key, [task]);
    void this.drain(key);
  }

  /** Resolves when no task is queued or running. */
  whenIdle(): Promise<void> {
    if (this.accepted === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    // The emptiness check and the delete below run in one synchronous step after the last await, so a
    // task submitted for this key either lands in this queue or starts a new drain.
    while (queue.length > 0) {
      await this.runOne(queue[0]);
      queue.shift();
    }
    this.queues.delete(key);
  }

  private async runOne(task: Task): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.onTaskError(error);
    } finally {
      this.accepted--;
      this.notifyCapacity();
      if (this.accepted === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  private capacityChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.capacityWaiters.delete(wake);
        reject(signal!.reason);
      };
      const wake = () => {
        this.capacityWaiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.capacityWaiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private notifyCapacity(): void {
    if (this.available === 0) return;
    for (const wake of [...this.capacityWaiters]) wake();
  }
}
