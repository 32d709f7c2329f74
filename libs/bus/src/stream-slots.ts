import calculateSlot from 'cluster-key-slot';
import { StreamSubscription } from './bus.types';

/** The Redis Cluster hash slot of a key (`{hash tag}` aware). */
export const slotOf = (key: string): number => calculateSlot(key);

/**
 * Which read loop a stream belongs to. One XREADGROUP names one group, so group streams are split by
 * group; plain streams share one loop. In a cluster a multi-key read must stay inside one slot
 * (CROSSSLOT otherwise), so the streams are split by slot as well; on a single node `slot` is undefined
 * and every stream of a kind shares one loop (one blocking connection).
 */
export interface ReadLoopKey {
  /** Map key, e.g. `group:llm-worker@5012` or `plain`. */
  readonly id: string;
  readonly group?: string;
  readonly slot?: number;
}

export function readLoopKeyOf(subscription: StreamSubscription, clustered: boolean): ReadLoopKey {
  const slot = clustered ? slotOf(subscription.stream) : undefined;
  const kind = subscription.group === undefined ? 'plain' : `group:${subscription.group}`;
  return { id: slot === undefined ? kind : `${kind}@${slot}`, group: subscription.group, slot };
}
