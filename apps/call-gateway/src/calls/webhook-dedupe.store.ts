import { Inject, Injectable } from '@nestjs/common';
import { webhookSeenKey } from '@app/contracts';
import { RedisClient } from '@app/bus';
import { REDIS } from '@app/core';

/** Telnyx event ids are remembered this long: Telnyx re-delivers for hours, we keep a day. */
export const WEBHOOK_DEDUPE_TTL_S = 24 * 3600;

/**
 * KEYS[1] the event's seen-key; ARGV[1] the inbox entry id; ARGV[2] TTL (s).
 * new: first sight, the entry owns the event | retry: the owner again | duplicate: another entry owns it.
 */
const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 'new'
end
if owner == ARGV[1] then return 'retry' end
return 'duplicate'`;

export type EventClaim = 'new' | 'retry' | 'duplicate';

/**
 * Dedupe on Telnyx's `data.id`, with ownership: the first inbox entry carrying an event id owns it. A
 * copy of the event (Telnyx re-delivered it; another replica may be handling the first one right now)
 * is a duplicate and dropped; the owning entry delivered again (its first handling crashed or failed,
 * the bus redelivered it) is handled again, so no event is lost and none is handled twice.
 */
@Injectable()
export class WebhookDedupeStore {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async claim(eventId: string, inboxEntryId: string): Promise<EventClaim> {
    return (await this.redis.eval(CLAIM, 1, webhookSeenKey(eventId), inboxEntryId, String(WEBHOOK_DEDUPE_TTL_S))) as EventClaim;
  }
}
