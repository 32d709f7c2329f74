import { Injectable } from '@nestjs/common';
import type { Clock } from '@app/clock';

/** A shard's entry reached a worker that no longer holds the shard: left pending for the new holder. */
export class ShardNotHeldError extends Error {
  constructor(readonly shard: number) {
    super(`TTS shard ${shard} is not held by this worker`);
    this.name = 'ShardNotHeldError';
  }
}

/** How often a shard being given up is checked for handlers still running. */
const SETTLE_POLL_MS = 10;

/**
 * Which shards this worker serves now, and the handlers running for each. A shard is opened once its
 * lease is held and its calls rebuilt, and closed before the lease is released: a handler that starts
 * after that throws (its entry stays pending, and the next holder claims it), and the release waits
 * for the handlers already running, so two workers never handle one shard's entries at once.
 */
@Injectable()
export class ShardGate {
  private readonly opened = new Set<number>();
  private readonly running = new Map<number, number>();

  open(shard: number): void {
    this.opened.add(shard);
  }

  close(shard: number): void {
    this.opened.delete(shard);
  }

  isOpen(shard: number): boolean {
    return this.opened.has(shard);
  }

  get size(): number {
    return this.opened.size;
  }

  async run<T>(shard: number, work: () => Promise<T> | T): Promise<T> {
    if (!this.opened.has(shard)) throw new ShardNotHeldError(shard);
    this.running.set(shard, (this.running.get(shard) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = (this.running.get(shard) ?? 1) - 1;
      if (left === 0) this.running.delete(shard);
      else this.running.set(shard, left);
    }
  }

  /** Waits until no handler of the shard runs, at most `timeoutMs`; false when some still do. */
  async settled(shard: number, clock: Clock, timeoutMs: number): Promise<boolean> {
    const deadline = clock.now() + timeoutMs;
    while (this.running.has(shard)) {
      if (clock.now() >= deadline) return false;
      await clock.sleep(SETTLE_POLL_MS);
    }
    return true;
  }
}
