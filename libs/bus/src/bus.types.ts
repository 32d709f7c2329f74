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
  /**
   * Without group: where reading starts ('$' default, '0'). With group: the id the group is created at
   * when it does not exist yet ('0' default: a new group sees the stream's history). A group recreated
   * after data loss always starts at '0'.
   */
  startId?: string;
  /**
   * Group streams only: what to do with a well-formed entry whose type has no handler here. Default
   * 'dead-letter' (a missing handler is a bug to look at); 'ack' for streams shared by several apps
   * where each group handles only some of the types (playback:events).
   */
  onUnhandled?: 'dead-letter' | 'ack';
  /**
   * Group streams only: when the stream is added, first claim every entry pending in the group, whoever
   * it was delivered to and however fresh (XAUTOCLAIM with min-idle 0), and hand them to the handlers
   * before any new entry. For a reader that has just become the stream's only rightful consumer (the
   * tts-worker that took over a shard's lease): the previous reader's unfinished entries are its own at
   * once, not after `claimIdleMs`.
   */
  claimPendingOnAdd?: boolean;
}
