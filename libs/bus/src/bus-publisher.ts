import { BusMessage, encodeMessage } from '@app/contracts';
import { Publisher, RedisClient } from './bus.types';

/**
 * Entries kept per stream (approximately: `MAXLEN ~` trims whole radix-tree nodes, so up to one node
 * more). At a few hundred bytes an entry that is a few MB per stream: plenty of history for `XRANGE`
 * when reading a call's story, and room for a consumer group that falls minutes behind. Streams with big
 * entries (a call's audio) should be given a smaller bound through `maxLenOf`.
 */
export const DEFAULT_STREAM_MAXLEN = 10_000;

export interface BusPublisherOptions {
  /** The MAXLEN of a stream; `undefined` falls back to `DEFAULT_STREAM_MAXLEN`. */
  maxLenOf?: (stream: string) => number | undefined;
}

/** Publishes a message as one flat, readable stream entry: `XADD stream MAXLEN ~ n * type ... field value`. */
export class BusPublisher implements Publisher {
  private readonly maxLenOf: (stream: string) => number | undefined;

  constructor(
    private readonly redis: RedisClient,
    options: BusPublisherOptions = {},
  ) {
    this.maxLenOf = options.maxLenOf ?? (() => undefined);
  }

  /** Resolves with the entry id Redis assigned. */
  async publish(stream: string, message: BusMessage): Promise<string> {
    const maxLen = this.maxLenOf(stream) ?? DEFAULT_STREAM_MAXLEN;
    if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
      throw new RangeError(`MAXLEN of stream ${stream} must be a positive integer, got ${maxLen}`);
    }
    const id = await this.redis.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...encodeMessage(message));
    // Only XADD ... NOMKSTREAM answers nil, which we never send.
    if (id === null) throw new Error(`XADD to ${stream} returned no id`);
    return id;
  }
}
