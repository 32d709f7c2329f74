import type { Cluster, Redis } from 'ioredis';
import type { BusMessage } from '@app/contracts';

/** A single-node or cluster client: every app runs unchanged on either. */
export type RedisClient = Redis | Cluster;

/** Publishes validated messages to streams (XADD with MAXLEN ~ trimming). */
export interface Publisher {
  publish(stream: string, message: BusMessage): Promise<string>;
}
export const PUBLISHER = Symbol('PUBLISHER');

/**
 * One stream a server reads.
 * - With `group`: consumer-group read (XREADGROUP), ack after the handler succeeded, pending entries
 *   of dead consumers reclaimed, delivery limit → dead-letter stream.
 * - Without `group`: plain XREAD by this instance alone (broadcast lanes like calls:control, or a
 *   stream only this instance owns like a call's audio), from `startId` ('$' = only new entries,
 *   default; '0' = from the beginning).
 */
export interface StreamSubscription {
  stream: string;
  group?: string;
  startId?: string;
}
