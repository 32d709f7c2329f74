import { ttsShardCallsKey, ttsTurnKey } from '@app/contracts';
import type { RedisClient } from '@app/bus';
import { CANCEL_TURN, RECORD_SENTENCE } from './turn-state.scripts';

/**
 * A call's turn record outlives any pause between two sentences by far; it only guards against a record
 * left behind by a call whose end nobody saw (each write renews it).
 */
export const TURN_STATE_TTL_MS = 60 * 60_000;

export interface StoredSentence {
  seq: number;
  text: string;
  last: boolean;
}

export interface StoredTurn {
  turnId: string;
  cancelled: boolean;
  /** In seq order. */
  sentences: StoredSentence[];
}

/**
 * What a new shard holder needs to finish a call's turn after a takeover, kept in Redis by the worker
 * holding the call: which calls each shard has (a set under the shard's tag) and each call's current
 * turn with its sentences (a hash under the call's tag). A sentence is recorded before its bus entry
 * is acked, so every sentence is either in the record or still pending in the shard's stream.
 */
export class TurnStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs = TURN_STATE_TTL_MS,
  ) {}

  async addCall(shard: number, callId: string): Promise<void> {
    await this.redis.sadd(ttsShardCallsKey(shard), callId);
  }

  calls(shard: number): Promise<string[]> {
    return this.redis.smembers(ttsShardCallsKey(shard));
  }

  /** The call ended: its record and its place in the shard go. (Two keys of two slots: two commands.) */
  async forget(shard: number, callId: string): Promise<void> {
    await this.redis.del(ttsTurnKey(callId));
    await this.redis.srem(ttsShardCallsKey(shard), callId);
  }

  /** True when recorded; false for a sentence of an older or cancelled turn. */
  async recordSentence(callId: string, turnId: string, sentence: StoredSentence): Promise<boolean> {
    const json = JSON.stringify({ text: sentence.text, last: sentence.last });
    const result = await this.redis.eval(RECORD_SENTENCE, 1, ttsTurnKey(callId), turnId, String(sentence.seq), json, String(this.ttlMs));
    return result === 1;
  }

  async cancelTurn(callId: string, turnId: string): Promise<void> {
    await this.redis.eval(CANCEL_TURN, 1, ttsTurnKey(callId), turnId, String(this.ttlMs));
  }

  async load(callId: string): Promise<StoredTurn | undefined> {
    const hash = await this.redis.hgetall(ttsTurnKey(callId));
    if (!hash.turnId) return undefined;
    const sentences: StoredSentence[] = [];
    for (const [field, value] of Object.entries(hash)) {
      if (!field.startsWith('s:')) continue;
      const parsed = JSON.parse(value) as { text: string; last: boolean };
      sentences.push({ seq: Number(field.slice(2)), text: parsed.text, last: parsed.last });
    }
    sentences.sort((a, b) => a.seq - b.seq);
    return { turnId: hash.turnId, cancelled: hash.cancelled === '1', sentences };
  }
}
