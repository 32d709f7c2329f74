import { RedisClient } from './bus.types';
import { isBusyGroupError } from './redis-errors';

/** Where a group recreated after data loss starts: everything in the (new) stream is unread. */
export const RECREATED_GROUP_START_ID = '0';

/**
 * XGROUP CREATE ... MKSTREAM, accepting a group that already exists: safe to call at every start and
 * after every NOGROUP, from every instance at once.
 */
export async function ensureConsumerGroup(
  redis: RedisClient,
  stream: string,
  group: string,
  startId = RECREATED_GROUP_START_ID,
): Promise<'created' | 'existed'> {
  try {
    await redis.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
    return 'created';
  } catch (error) {
    if (isBusyGroupError(error)) return 'existed';
    throw error;
  }
}

/**
 * A plain subscription's concrete start id. '$' means "entries added from now on"; it is resolved once,
 * to the stream's current last id, because each XREAD of the loop continues from the last id it saw
 * and a '$' re-sent with every read would skip whatever arrived between two reads.
 */
export async function resolveStartId(redis: RedisClient, stream: string, startId: string): Promise<string> {
  if (startId !== '$') return startId;
  const [last] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
  return last?.[0] ?? '0-0';
}
