import type { BusLogger, Publisher, RedisClient } from '@app/bus';
import type { Clock } from '@app/clock';
import { METRICS_STREAM, TurnMetricsMessage, message, turnMarksKey } from '@app/contracts';

/**
 * The stages of one turn, in the order a turn passes them. Each app stamps the ones it sees; the turn's
 * owner publishes them as one `turn.metrics` entry (the waterfall `npm run inspect` draws).
 */
export const TURN_MARKS = [
  'finalAt',
  'turnPublishedAt',
  'llmFirstTokenAt',
  'firstSentenceAt',
  'ttsTextSentAt',
  'ttsFirstByteAt',
  'firstFrameSentAt',
  'firstHeardAt',
] as const;
export type TurnMark = (typeof TURN_MARKS)[number];

/** Compile-time proof that the marks are exactly the timestamp fields of `turn.metrics`, no more, no less. */
type MessageMark = Exclude<keyof TurnMetricsMessage, 'type' | 'callId' | 'turnId' | 'cancelled' | 'at'>;
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const MARKS_MATCH_MESSAGE: SameSet<TurnMark, MessageMark> = true;
void MARKS_MATCH_MESSAGE;

/**
 * Life of a call's marks hash after its last stamp. Every stamp renews it, so a live call keeps it; it
 * only has to outlive the longest quiet stretch of a live call (a caller silent for minutes before the
 * dead-air hangup) and it clears the marks of turns whose publisher died before publishing them.
 */
export const TURN_MARKS_TTL_MS = 60 * 60_000;

/** Timestamps (epoch ms) of a turn's stages; absent = not reached. */
export type TurnMarkTimes = Partial<Record<TurnMark, number>>;

/** What the publisher knows at the end of the turn: whether it was cancelled, and marks not stamped yet. */
export interface TurnMetricsExtra extends TurnMarkTimes {
  cancelled?: boolean;
}

/** The hash field of one mark of one turn: `<turnId>:<mark>` (readable with `redis-cli HGETALL`). */
export const turnMarkField = (turnId: string, mark: TurnMark): string => `${turnId}:${mark}`;

/** Epoch ms kept to the microsecond: enough for a waterfall, and short in the hash and the entry. */
const roundToMicros = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * Turn timing across processes. `stamp` is for the hot path: one pipelined HSETNX + PEXPIRE, never
 * awaited, errors logged and never thrown; the first stamp of a mark wins (a retried or re-delivered
 * stage does not move it). `publish` ends the turn's record: it takes the marks and deletes them in
 * one MULTI, so only one publisher sees them, and writes one flat `turn.metrics` entry.
 */
export class TurnMarks {
  constructor(
    private readonly redis: RedisClient,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly logger: BusLogger,
  ) {}

  stamp(callId: string, turnId: string, mark: TurnMark, at: number = this.clock.epochNow()): void {
    if (!Number.isFinite(at) || at < 0) {
      this.logger.warn({ callId, turnId, mark, at }, 'turn mark not stamped: invalid time');
      return;
    }
    const key = turnMarksKey(callId);
    this.redis
      .pipeline()
      .hsetnx(key, turnMarkField(turnId, mark), String(roundToMicros(at)))
      .pexpire(key, TURN_MARKS_TTL_MS)
      .exec()
      .then((results) => {
        const failure = results?.find(([error]) => error)?.[0];
        if (failure) this.logger.warn({ callId, turnId, mark, err: failure }, 'turn mark not stamped');
      })
      .catch((error: unknown) => this.logger.warn({ callId, turnId, mark, err: error }, 'turn mark not stamped'));
  }

  /**
   * Publishes the turn's waterfall and forgets its marks. Stamped marks win over `extra`'s. Resolves with
   * the entry id, or undefined when there was nothing to publish (no marks: already published by another
   * process, or never stamped) or publishing failed (logged: telemetry never fails a call).
   */
  async publish(callId: string, turnId: string, extra: TurnMetricsExtra = {}): Promise<string | undefined> {
    try {
      const stamped = await this.takeMarks(callId, turnId);
      if (Object.keys(stamped).length === 0) return undefined;
      const times: TurnMarkTimes = {};
      for (const mark of TURN_MARKS) {
        const at = stamped[mark] ?? extra[mark];
        if (at !== undefined && Number.isFinite(at) && at >= 0) times[mark] = roundToMicros(at);
      }
      const cancelled = extra.cancelled === undefined ? {} : { cancelled: extra.cancelled };
      const metrics = message('turn.metrics', { callId, turnId, ...times, ...cancelled, at: this.clock.epochNow() });
      return await this.publisher.publish(METRICS_STREAM, metrics);
    } catch (error) {
      this.logger.warn({ callId, turnId, err: error }, 'turn metrics not published');
      return undefined;
    }
  }

  /** The turn's stamped marks, removed from the hash in the same transaction. */
  private async takeMarks(callId: string, turnId: string): Promise<TurnMarkTimes> {
    const key = turnMarksKey(callId);
    const fields = TURN_MARKS.map((mark) => turnMarkField(turnId, mark));
    const results = await this.redis.multi().hmget(key, ...fields).hdel(key, ...fields).exec();
    if (!results) throw new Error('MULTI on the marks hash was aborted');
    const [readError, values] = results[0];
    if (readError) throw readError;
    const times: TurnMarkTimes = {};
    (values as Array<string | null>).forEach((value, i) => {
      const at = value === null ? NaN : Number(value);
      if (Number.isFinite(at) && at >= 0) times[TURN_MARKS[i]] = at;
    });
    return times;
  }
}
