import { Clock, TimerHandle } from '@app/clock';
import { BusLogger } from './bus-logger';
import { RedisClient } from './bus.types';
import { DeliveredEntry } from './entry-dispatcher';
import { HeldEntries } from './held-entries';
import { CapacityPermit, PartitionedExecutor } from './partitioned-executor';
import { isNoGroupError } from './redis-errors';
import { parseAutoClaimReply, parsePendingDeliveries } from './stream-replies';

/** XAUTOCLAIM pages per stream per round: a huge backlog cannot monopolise a round; the cursor resumes next round. */
export const MAX_CLAIM_PAGES_PER_ROUND = 10;
/**
 * Entries we still work on are re-marked as fresh once held this fraction of claimIdleMs, which leaves
 * the other half (several claim intervals) for the refresh to land before anybody's XAUTOCLAIM
 * would see them as idle.
 */
export const HELD_REFRESH_FRACTION = 0.5;

export interface GroupStream {
  stream: string;
  group: string;
  onUnhandled: 'dead-letter' | 'ack';
}

export interface PendingReclaimerOptions {
  redis: () => RedisClient;
  consumer: string;
  claimIdleMs: number;
  batchSize: number;
  executor: PartitionedExecutor;
  held: HeldEntries;
  dispatch(entry: DeliveredEntry, permit: CapacityPermit): void;
  /** The group streams currently subscribed. */
  groupStreams(): GroupStream[];
  recreateGroup(stream: string, group: string): Promise<void>;
  clock: Clock;
  logger: BusLogger;
}

/**
 * The periodic pass over each group's pending list: XAUTOCLAIM takes over the entries idle for
 * `claimIdleMs` (a dead consumer's, or our own failed ones) and redelivers them with their delivery
 * count, which the dispatcher compares with the limit. First it refreshes the entries we are still
 * working on (XCLAIM ... JUSTID, which resets their idle time without counting a delivery), so a slow
 * handler or a long queue behind one call does not make them look abandoned.
 */
export class PendingReclaimer {
  private timer?: TimerHandle;
  private round?: Promise<void>;
  private readonly cursors = new Map<string, string>();

  constructor(private readonly options: PendingReclaimerOptions) {}

  /** Runs a round now (a restarted instance picks up orphans at once) and then every `intervalMs`. */
  start(intervalMs: number): void {
    this.trigger();
    this.timer = this.options.clock.setInterval(() => this.trigger(), intervalMs);
  }

  /** Stops the timer; resolves when the round under way (if any) has finished. */
  stop(): Promise<void> {
    this.options.clock.clearInterval(this.timer);
    this.timer = undefined;
    return this.round ?? Promise.resolve();
  }

  /** One round; skipped if the previous one is still running (a slow Redis must not pile rounds up). */
  trigger(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  private async runRound(): Promise<void> {
    const { logger } = this.options;
    try {
      await this.refreshHeld();
    } catch (error) {
      logger.warn({ err: error }, 'refreshing held entries failed');
    }
    for (const subscription of this.options.groupStreams()) {
      try {
        await this.claimStream(subscription);
      } catch (error) {
        if (isNoGroupError(error)) {
          await this.options.recreateGroup(subscription.stream, subscription.group).catch(() => undefined);
        } else {
          logger.warn({ stream: subscription.stream, group: subscription.group, err: error }, 'reclaiming pending entries failed');
        }
      }
    }
  }

  private async refreshHeld(): Promise<void> {
    const { held, clock, claimIdleMs, consumer } = this.options;
    const now = clock.now();
    for (const { stream, group, ids } of held.heldSince(now - claimIdleMs * HELD_REFRESH_FRACTION)) {
      await this.options.redis().call('xclaim', stream, group, consumer, 0, ...ids, 'JUSTID');
      held.refreshed(stream, group, ids, now);
    }
  }

  /**
   * Claims every entry pending in the group now, however fresh (min-idle 0), and dispatches them; waits
   * for executor capacity rather than leaving any behind. Resolves once all are dispatched (not handled).
   */
  async claimAllNow(subscription: GroupStream): Promise<void> {
    let cursor = '0-0';
    do {
      const permit = await this.options.executor.reserve(this.options.batchSize);
      try {
        cursor = await this.claimPage(subscription, 0, cursor, permit);
      } finally {
        permit.release();
      }
    } while (cursor !== '0-0');
  }

  private async claimStream(subscription: GroupStream): Promise<void> {
    const { executor, batchSize, claimIdleMs } = this.options;
    const cursorKey = `${subscription.stream}\u0000${subscription.group}`;
    for (let page = 0; page < MAX_CLAIM_PAGES_PER_ROUND; page++) {
      // Claiming makes us responsible for the entries: take only what there is room to handle now.
      const permit = executor.tryReserve(batchSize);
      if (permit.granted === 0) return;
      try {
        const cursor = await this.claimPage(subscription, claimIdleMs, this.cursors.get(cursorKey) ?? '0-0', permit);
        this.cursors.set(cursorKey, cursor);
        if (cursor === '0-0') return;
      } finally {
        permit.release();
      }
    }
  }

  /** One XAUTOCLAIM page from `start`, dispatched; returns the cursor to continue from ('0-0': done). */
  private async claimPage({ stream, group, onUnhandled }: GroupStream, minIdleMs: number, start: string, permit: CapacityPermit): Promise<string> {
    const { consumer, held, logger } = this.options;
    const reply = await this.options.redis().call('xautoclaim', stream, group, consumer, minIdleMs, start, 'COUNT', permit.granted);
    const claimed = parseAutoClaimReply(reply);
    if (claimed.deletedIds.length > 0) {
      logger.warn({ stream, group, ids: claimed.deletedIds }, 'pending entries no longer in the stream, dropped');
    }
    const fresh = claimed.entries.filter((entry) => !held.has(stream, group, entry.id));
    const deliveries = await this.deliveryCounts(stream, group, fresh.map((entry) => entry.id));
    fresh.forEach((entry, index) => {
      const count = deliveries[index];
      // Not pending any more: acked (by its previous owner, finishing late) since we claimed it.
      if (count === undefined) return;
      logger.info({ stream, group, id: entry.id, deliveries: count }, 'pending entry reclaimed');
      this.options.dispatch({ stream, id: entry.id, fields: entry.fields, group, deliveries: count, onUnhandled }, permit);
    });
    return claimed.cursor;
  }

  /** Each entry's delivery count (XAUTOCLAIM does not report it), one pipelined XPENDING per id. */
  private async deliveryCounts(stream: string, group: string, ids: string[]): Promise<Array<number | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.options.redis().pipeline();
    for (const id of ids) pipeline.xpending(stream, group, id, id, 1);
    const results = (await pipeline.exec()) ?? [];
    return ids.map((_, index) => {
      const [error, reply] = results[index] ?? [new Error('no reply'), null];
      if (error) throw error;
      return parsePendingDeliveries(reply);
    });
  }
}
