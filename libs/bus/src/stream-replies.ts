/**
 * Typed views of the stream replies we read through `call()` (ioredis' own typings of these variadic
 * commands are loose). Anything that does not have the documented shape is a protocol error.
 */
export interface RawStreamEntry {
  id: string;
  /** [field, value, field, value, ...]; null for an entry deleted while pending (Redis 6.2 XAUTOCLAIM). */
  fields: string[] | null;
}

export interface StreamBatch {
  stream: string;
  entries: RawStreamEntry[];
}

export interface AutoClaimResult {
  /** Where the next XAUTOCLAIM continues; '0-0' once the whole pending list has been scanned. */
  cursor: string;
  entries: RawStreamEntry[];
  /** Pending ids whose entries no longer exist (Redis 7 drops them from the pending list itself). */
  deletedIds: string[];
}

export class StreamReplyError extends Error {
  constructor(command: string, reply: unknown) {
    super(`unexpected ${command} reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
    this.name = 'StreamReplyError';
  }
}

/** XREAD / XREADGROUP: null (timeout) or [[stream, [[id, fields], ...]], ...]. */
export function parseReadReply(reply: unknown): StreamBatch[] {
  if (reply === null) return [];
  if (!Array.isArray(reply)) throw new StreamReplyError('XREAD', reply);
  return reply.map((item: unknown) => {
    if (!Array.isArray(item) || typeof item[0] !== 'string') throw new StreamReplyError('XREAD', reply);
    return { stream: item[0], entries: parseEntries(item[1], 'XREAD') };
  });
}

/** XAUTOCLAIM: [cursor, entries, deletedIds] (the third element exists from Redis 7). */
export function parseAutoClaimReply(reply: unknown): AutoClaimResult {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new StreamReplyError('XAUTOCLAIM', reply);
  const deleted: unknown = reply[2] ?? [];
  if (!Array.isArray(deleted)) throw new StreamReplyError('XAUTOCLAIM', reply);
  return { cursor: reply[0], entries: parseEntries(reply[1], 'XAUTOCLAIM'), deletedIds: deleted.map(String) };
}

/** Extended XPENDING of one id: [[id, consumer, idleMs, deliveries]] or [] when it is not pending. */
export function parsePendingDeliveries(reply: unknown): number | undefined {
  if (!Array.isArray(reply)) throw new StreamReplyError('XPENDING', reply);
  const row: unknown = reply[0];
  if (row === undefined) return undefined;
  if (!Array.isArray(row) || row.length < 4) throw new StreamReplyError('XPENDING', reply);
  return Number(row[3]);
}

function parseEntries(value: unknown, command: string): RawStreamEntry[] {
  if (!Array.isArray(value)) throw new StreamReplyError(command, value);
  return value.map((entry: unknown) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new StreamReplyError(command, value);
    const fields: unknown = entry[1];
    if (fields === null) return { id: entry[0], fields: null };
    if (!Array.isArray(fields)) throw new StreamReplyError(command, value);
    return { id: entry[0], fields: fields.map(String) };
  });
}
