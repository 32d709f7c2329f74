import { Clock } from '@app/clock';
import { BusLogger } from './bus-logger';
import { RedisClient } from './bus.types';
import { settlesWithin } from './bounded-wait';
import { DeliveredEntry } from './entry-dispatcher';
import { CapacityPermit, PartitionedExecutor } from './partitioned-executor';
import { BLOCKING_READ_GRACE_MS, nodeConnectionFor, whenReady } from './redis-connection';
import { isNoGroupError } from './redis-errors';
import { RetryBackoff } from './retry-backoff';
import { StreamBatch, parseReadReply } from './stream-replies';
import { ReadLoopKey } from './stream-slots';

/**
 * CLIENT UNBLOCK can reach Redis before the read it should interrupt (the read is still on the wire):
 * it then unblocks nothing and is retried this often...
 */
export const UNBLOCK_RETRY_MS = 5;
/** ...this many times (200 ms in all); past that the change waits for the read's own BLOCK timeout. */
export const UNBLOCK_MAX_ATTEMPTS = 40;
/** stop(): how long an interrupted read may take to return before its connection is cut. */
export const LOOP_STOP_GRACE_MS = 500;
/**
 * A group read that answers nothing this long after its BLOCK should have ended was given up by the
 * client (the connection's blocking timeout, BLOCKING_READ_GRACE_MS after BLOCK), typically while a
 * cluster failover made ioredis re-send it from node to node. Redis may still have served it: the
 * entries are then pending under our name with their reply dropped. Half the grace tells such a read
 * from one that simply timed out on the server.
 */
export const LOST_REPLY_AFTER_MS = BLOCKING_READ_GRACE_MS / 2;

/** One stream of a loop. */
export interface LoopStream {
  stream: string;
  /** Plain streams: the id of the last entry read (XREAD continues after it). Unused for groups. */
  lastId: string;
  onUnhandled: 'dead-letter' | 'ack';
}

export interface StreamReadLoopOptions {
  key: ReadLoopKey;
  consumer: string;
  /** This loop's own blocking connection; the loop disconnects it when it stops. */
  connection: RedisClient;
  /** The shared command connection, which sends CLIENT UNBLOCK. */
  commands: () => RedisClient;
  executor: PartitionedExecutor;
  dispatch(entry: DeliveredEntry, permit: CapacityPermit): void;
  recreateGroup(stream: string, group: string): Promise<void>;
  blockMs: number;
  batchSize: number;
  /** How many read loops share the executor (default 1): each reads at most its share of the free capacity. */
  sharing?: () => number;
  /** Whether a group entry is being handled here (so a recovery read does not dispatch it twice). */
  isHeld?: (stream: string, group: string, id: string) => boolean;
  clock: Clock;
  logger: BusLogger;
}

interface ActiveRead {
  /** The stream set's version this read was issued with. */
  generation: number;
  /** CLIENT ID of the connection the read blocks on, fetched in the same pipeline just before it. */
  clientId: Promise<number | undefined>;
}

/**
 * One blocking read loop: XREADGROUP (one group) or XREAD over a set of streams, on its own connection.
 * It reads only when the executor has room, hands every entry to the dispatcher in stream order, and
 * survives anything Redis does (errors are logged, retried with backoff; a missing group is recreated).
 * A change to its stream set interrupts the blocked read with CLIENT UNBLOCK, so the new set applies
 * within a round trip rather than after up to `blockMs`.
 */
export class StreamReadLoop {
  private readonly streams = new Map<string, LoopStream>();
  private readonly stopController = new AbortController();
  private generation = 0;
  private activeRead?: ActiveRead;
  private changeWaiters: Array<() => void> = [];
  private running?: Promise<void>;
  /** Group loops: a read failed or was given up, so Redis may have delivered entries whose reply we lost. */
  private replyMayBeLost = false;

  constructor(private readonly options: StreamReadLoopOptions) {}

  get size(): number {
    return this.streams.size;
  }

  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  add(stream: LoopStream): void {
    this.streams.set(stream.stream, stream);
    this.changed();
  }

  remove(stream: string): boolean {
    const removed = this.streams.delete(stream);
    if (removed) this.changed();
    return removed;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops promptly: interrupts the blocked read, waits briefly for it, then closes the connection. */
  async stop(): Promise<void> {
    const { clock, connection } = this.options;
    this.stopController.abort(new Error('read loop stopped'));
    this.wakeChangeWaiters();
    void this.interruptStaleRead();
    if (this.running) await settlesWithin(clock, this.running, LOOP_STOP_GRACE_MS);
    connection.disconnect();
    // A read still queued on a connection that was reconnecting may never settle: do not wait for it forever.
    if (this.running) await settlesWithin(clock, this.running, LOOP_STOP_GRACE_MS);
  }

  private async run(): Promise<void> {
    const { signal } = this.stopController;
    const backoff = new RetryBackoff(this.options.clock);
    while (!signal.aborted) {
      let permit: CapacityPermit | undefined;
      try {
        if (this.streams.size === 0) {
          await this.nextChange();
          continue;
        }
        await whenReady(this.options.connection, signal);
        // Capacity is checked before the read but not held while it blocks: with a loop per slot (a
        // cluster) held reservations would let a few idle loops starve all the others for a BLOCK each.
        // Each loop asks for its share of what is free, so a burst on every loop at once overshoots the
        // limit by at most about one entry per loop and stream.
        const { executor, batchSize, sharing } = this.options;
        await executor.whenAvailable(signal);
        if (this.streams.size === 0) continue; // emptied while we waited
        const share = Math.floor(executor.available / Math.max(1, sharing?.() ?? 1));
        const capacity = Math.max(1, Math.min(batchSize, share));
        // After a lost reply, first what Redis delivered to us since the last entry we got, in order.
        const recovering = this.replyMayBeLost;
        const batches = recovering ? await this.readUndelivered(capacity) : await this.readOnce(capacity);
        this.replyMayBeLost &&= !recovering;
        permit = executor.tryReserve(batches.reduce((n, batch) => n + batch.entries.length, 0));
        backoff.reset();
        // Entries read while stopping are delivered all the same: group entries are already pending
        // under our name, and would otherwise wait for a reclaim.
        this.deliver(batches, permit, recovering);
      } catch (error) {
        if (signal.aborted) break;
        if (this.options.key.group !== undefined) this.replyMayBeLost = true;
        await this.recover(error, backoff, signal);
      } finally {
        permit?.release();
      }
    }
  }

  private readOnce(capacity: number): Promise<StreamBatch[]> {
    const { key, consumer, blockMs, connection } = this.options;
    const streams = [...this.streams.values()];
    const names = streams.map((s) => s.stream);
    // COUNT applies per stream; spreading the capacity keeps one read within it (overshoot ≤ one per stream).
    const count = Math.max(1, Math.floor(capacity / streams.length));
    const read: ActiveRead = { generation: this.generation, clientId: this.fetchClientId() };
    this.activeRead = read;
    const startedAt = this.options.clock.now();
    const reply =
      key.group === undefined
        ? connection.call('xread', 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...names, ...streams.map((s) => s.lastId))
        : connection.call('xreadgroup', 'GROUP', key.group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...names, ...names.map(() => '>'));
    return reply
      .then((value) => {
        if (value === null && key.group !== undefined && this.options.clock.now() - startedAt >= blockMs + LOST_REPLY_AFTER_MS) {
          this.replyMayBeLost = true;
        }
        return parseReadReply(value);
      })
      .finally(() => {
        if (this.activeRead === read) this.activeRead = undefined;
      });
  }

  /**
   * Group loops, after a lost reply: the entries pending under our name after the last one each stream
   * delivered here (XREADGROUP with an id reads our own pending list, without blocking). Those not being
   * handled here are the lost reply's, delivered to us by Redis and never seen.
   */
  private async readUndelivered(capacity: number): Promise<StreamBatch[]> {
    const { key, consumer, connection, logger } = this.options;
    const streams = [...this.streams.values()];
    const count = Math.max(1, Math.floor(capacity / streams.length));
    const reply = await connection.call(
      'xreadgroup', 'GROUP', key.group!, consumer, 'COUNT', count, 'STREAMS', ...streams.map((s) => s.stream), ...streams.map((s) => s.lastId || '0'),
    );
    const batches = parseReadReply(reply).map((batch) => ({
      stream: batch.stream,
      entries: batch.entries.filter((entry) => !this.options.isHeld?.(batch.stream, key.group!, entry.id)),
    }));
    const ids = batches.flatMap((batch) => batch.entries.map((entry) => `${batch.stream}/${entry.id}`));
    if (ids.length > 0) logger.warn({ loop: key.id, ids }, 'entries of a lost read reply recovered from our pending list');
    return batches;
  }

  private deliver(batches: StreamBatch[], permit: CapacityPermit, redelivered = false): void {
    const { group } = this.options.key;
    for (const batch of batches) {
      const subscription = this.streams.get(batch.stream);
      // Removed while the read was under way: a plain entry costs nothing to drop; a group entry is
      // already pending under our name, so it is handled rather than stranded until a reclaim.
      if (group === undefined && !subscription) continue;
      for (const entry of batch.entries) {
        if (subscription) subscription.lastId = entry.id;
        this.options.dispatch(
          {
            stream: batch.stream,
            id: entry.id,
            fields: entry.fields,
            group,
            deliveries: redelivered ? 2 : 1,
            onUnhandled: subscription?.onUnhandled ?? 'dead-letter',
          },
          permit,
        );
      }
    }
  }

  private async recover(error: unknown, backoff: RetryBackoff, signal: AbortSignal): Promise<void> {
    const { key, logger } = this.options;
    const group = key.group;
    try {
      if (group !== undefined && isNoGroupError(error)) {
        logger.info({ loop: key.id, streams: this.streamNames() }, 'consumer group missing, recreating');
        await Promise.all(this.streamNames().map((stream) => this.options.recreateGroup(stream, group)));
        // The first time straight back to reading; a group that keeps vanishing gets the backoff.
        if (backoff.consecutiveFailures === 0) {
          backoff.countWithoutWaiting();
          return;
        }
      } else {
        logger.warn(
          { loop: key.id, streams: this.streamNames(), failures: backoff.consecutiveFailures + 1, err: error },
          'stream read failed, retrying',
        );
      }
      await backoff.wait(signal);
    } catch (repairError) {
      if (signal.aborted) return;
      logger.warn({ loop: key.id, err: repairError }, 'consumer group recreation failed, retrying');
      await backoff.wait(signal).catch(() => undefined);
    }
  }

  /** Sent right before the read on the same connection, so it names the connection the read blocks on. */
  private fetchClientId(): Promise<number | undefined> {
    const node = nodeConnectionFor(this.options.connection, this.options.key.slot ?? 0);
    if (!node) return Promise.resolve(undefined);
    return node.client('ID').then(
      (id) => Number(id),
      () => undefined,
    );
  }

  private changed(): void {
    this.generation++;
    this.wakeChangeWaiters();
    void this.interruptStaleRead();
  }

  private isStale(read: ActiveRead): boolean {
    return this.stopController.signal.aborted || read.generation !== this.generation;
  }

  /** Unblocks a read issued with an outdated stream set (or while stopping) so that the loop re-reads. */
  private async interruptStaleRead(): Promise<void> {
    const { key, clock, logger } = this.options;
    try {
      for (let attempt = 0; attempt < UNBLOCK_MAX_ATTEMPTS; attempt++) {
        const read = this.activeRead;
        if (!read || !this.isStale(read)) return;
        const clientId = await read.clientId;
        if (clientId === undefined) return;
        if (this.activeRead !== read) continue;
        const node = nodeConnectionFor(this.options.commands(), key.slot ?? 0);
        if (!node) return;
        if ((await node.client('UNBLOCK', clientId)) === 1) return;
        await clock.sleep(UNBLOCK_RETRY_MS);
      }
    } catch (error) {
      logger.debug({ loop: key.id, err: error }, 'blocked read not interrupted, the change applies when it times out');
    }
  }

  private nextChange(): Promise<void> {
    if (this.stopController.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.changeWaiters.push(resolve));
  }

  private wakeChangeWaiters(): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = [];
    for (const wake of waiters) wake();
  }
}
