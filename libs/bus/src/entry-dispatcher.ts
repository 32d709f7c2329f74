import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, decodeMessage } from '@app/contracts';
import { Clock } from '@app/clock';
import { BusLogger } from './bus-logger';
import { RedisClient } from './bus.types';
import { DeadLetterWriter } from './dead-letter.writer';
import { HeldEntries } from './held-entries';
import { CapacityPermit, PartitionedExecutor } from './partitioned-executor';
import { isNoGroupError } from './redis-errors';
import { StreamContext } from './stream-context';

/** One entry as a read loop or the reclaimer got it. */
export interface DeliveredEntry {
  stream: string;
  id: string;
  /** null when Redis no longer has the entry's content (deleted while pending). */
  fields: string[] | null;
  /** Consumer group; undefined for plain (XREAD) streams, which are never acked. */
  group: string | undefined;
  /** 1 on the first delivery, the pending list's count after a reclaim. */
  deliveries: number;
  onUnhandled: 'dead-letter' | 'ack';
}

export interface EntryDispatcherOptions {
  /** The command connection (acks, dead letters); a getter because it exists only once listening. */
  redis: () => RedisClient;
  executor: PartitionedExecutor;
  held: HeldEntries;
  deadLetters: DeadLetterWriter;
  clock: Clock;
  logger: BusLogger;
  maxDeliveries: number;
  findHandler(type: string): MessageHandler | null;
  /** Runs the handler to completion; rejects when it failed. */
  runHandler(handler: MessageHandler, message: BusMessage, context: StreamContext): Promise<void>;
  recreateGroup(stream: string, group: string): Promise<void>;
}

/**
 * Ordering scope: the call's entries within one stream. Scoped by stream so that a call's control lane
 * (a cancel on calls:control) never waits behind its data (the turn being generated on `turns`, which is
 * exactly what the cancel must stop). Entries without a callId have no ordering constraint.
 */
export function partitionKeyOf(stream: string, message: BusMessage): string | undefined {
  const callId = 'callId' in message ? message.callId : undefined;
  return callId === undefined ? undefined : `${stream}\u0000${callId}`;
}

/**
 * Decodes each entry, finds its handler and runs it through the partitioned executor; acks a group entry
 * only after its handler succeeded; dead-letters (and acks) what can never be handled: a malformed
 * entry, a type without handler, an entry over the delivery limit. A failed handler leaves its entry
 * pending, for the reclaimer to redeliver.
 */
export class EntryDispatcher {
  constructor(private readonly options: EntryDispatcherOptions) {}

  /** Accepts the entry at once (never waits); `permit` is the capacity reserved for it by the reader. */
  dispatch(entry: DeliveredEntry, permit?: CapacityPermit): void {
    const { executor, held, clock, maxDeliveries, findHandler } = this.options;
    if (entry.group !== undefined) held.hold(entry.stream, entry.group, entry.id, clock.now());
    const accept = (key: string | undefined, task: () => Promise<void>) => executor.submit(key, task, permit);

    if (entry.group !== undefined && entry.deliveries > maxDeliveries) {
      accept(undefined, () => this.reject(entry, `delivered ${entry.deliveries} times, over the limit of ${maxDeliveries}`));
      return;
    }
    if (entry.fields === null) {
      accept(undefined, () => this.settle(entry, undefined));
      return;
    }
    const decoded = decodeMessage(entry.fields);
    if (!decoded.ok) {
      accept(undefined, () => this.reject(entry, decoded.reason));
      return;
    }
    const { message } = decoded;
    const handler = findHandler(message.type);
    if (!handler) {
      accept(undefined, () => this.unhandled(entry, message));
      return;
    }
    accept(partitionKeyOf(entry.stream, message), () => this.handle(entry, message, handler));
  }

  private async handle(entry: DeliveredEntry, message: BusMessage, handler: MessageHandler): Promise<void> {
    const context = new StreamContext(entry.stream, entry.id, entry.deliveries, entry.group);
    try {
      await this.options.runHandler(handler, message, context);
    } catch (error) {
      const pending = entry.group !== undefined;
      this.options.logger.warn(
        { ...fieldsOf(entry, message), err: error },
        pending ? 'handler failed, entry left pending for redelivery' : 'handler failed, entry skipped',
      );
      // No longer ours to keep fresh: it turns idle and the reclaimer redelivers it.
      if (entry.group !== undefined) this.options.held.release(entry.stream, entry.group, entry.id);
      return;
    }
    await this.settle(entry, message);
  }

  private async unhandled(entry: DeliveredEntry, message: BusMessage): Promise<void> {
    // Plain streams are broadcast lanes that carry every app's types: skipping the others is normal.
    if (entry.group === undefined || entry.onUnhandled === 'ack') {
      this.options.logger.debug(fieldsOf(entry, message), 'no handler for message type, entry skipped');
      await this.settle(entry, message);
      return;
    }
    await this.reject(entry, `no handler for message type "${message.type}"`);
  }

  /** Dead-letters and acks a group entry that can never be handled; logs and skips a plain one. */
  private async reject(entry: DeliveredEntry, reason: string): Promise<void> {
    const { logger, deadLetters } = this.options;
    if (entry.group === undefined) {
      // Every reader of a broadcast lane sees the same entry: one dead letter per instance would be noise.
      logger.warn({ ...fieldsOf(entry), reason }, 'unusable entry skipped');
      return;
    }
    try {
      await deadLetters.write({ stream: entry.stream, id: entry.id, group: entry.group, reason, fields: entry.fields });
      logger.warn({ ...fieldsOf(entry), reason }, 'entry dead-lettered');
    } catch (error) {
      logger.error({ ...fieldsOf(entry), reason, err: error }, 'dead-lettering failed, entry left pending');
      this.options.held.release(entry.stream, entry.group, entry.id);
      return;
    }
    await this.settle(entry, undefined);
  }

  /** Acks a group entry (nothing to do for a plain one); a failed ack leaves it pending, to be redelivered. */
  private async settle(entry: DeliveredEntry, message: BusMessage | undefined): Promise<void> {
    const { group } = entry;
    if (group === undefined) return;
    try {
      await this.options.redis().xack(entry.stream, group, entry.id);
    } catch (error) {
      if (isNoGroupError(error)) {
        // The group went away with the entry's pending record: nothing left to ack. Put the group back.
        await this.options.recreateGroup(entry.stream, group).catch(() => undefined);
      } else {
        this.options.logger.warn({ ...fieldsOf(entry, message), err: error }, 'ack failed, entry will be redelivered');
      }
    } finally {
      this.options.held.release(entry.stream, group, entry.id);
    }
  }
}

/** Log fields of an entry: where it is, and the call and turn when the message names them. */
function fieldsOf(entry: DeliveredEntry, message?: BusMessage): Record<string, unknown> {
  return {
    stream: entry.stream,
    id: entry.id,
    group: entry.group,
    deliveries: entry.deliveries,
    type: message?.type,
    callId: message && 'callId' in message ? message.callId : undefined,
    turnId: message && 'turnId' in message ? message.turnId : undefined,
  };
}
