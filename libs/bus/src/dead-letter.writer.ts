import { deadLetterStream } from '@app/contracts';
import { RedisClient } from './bus.types';

/**
 * Entries kept per dead-letter stream. Dead letters are for a person to read and replay; if 10k pile up
 * something is broken at scale and the oldest examples are as good as the newest.
 */
export const DEAD_LETTER_MAXLEN = 10_000;

export interface DeadLetter {
  stream: string;
  id: string;
  group: string | undefined;
  /** Why it could not be handled: the decode error, the missing handler, the delivery limit. */
  reason: string;
  /** The original entry's fields, copied as they were (null when Redis no longer has them). */
  fields: string[] | null;
}

/**
 * Copies an entry to `dlq:<stream>` as `{stream, id, reason, group, ...original fields}`, so that
 * `XRANGE dlq:turns - +` shows what failed, why, and everything needed to replay it.
 */
export class DeadLetterWriter {
  constructor(private readonly redis: () => RedisClient) {}

  async write(letter: DeadLetter): Promise<string> {
    const id = await this.redis().xadd(
      deadLetterStream(letter.stream),
      'MAXLEN',
      '~',
      DEAD_LETTER_MAXLEN,
      '*',
      'stream',
      letter.stream,
      'id',
      letter.id,
      'reason',
      letter.reason,
      'group',
      letter.group ?? '',
      ...(letter.fields ?? []),
    );
    if (id === null) throw new Error(`XADD to ${deadLetterStream(letter.stream)} returned no id`);
    return id;
  }
}
