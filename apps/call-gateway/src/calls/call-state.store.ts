import { Inject, Injectable } from '@nestjs/common';
import { CallState, TurnKind, callKey } from '@app/contracts';
import { RedisClient } from '@app/bus';
import { REDIS } from '@app/core';
import { CallRecord, parseCallRecord } from './call-record';

/** How long an ended call's hash stays (late webhooks of the call are recognised and ignored meanwhile). */
export const ENDED_CALL_TTL_S = 300;
/** A live call's hash outlives any real call, so a call whose hangup never arrives still goes away. */
export const LIVE_CALL_TTL_S = 6 * 3600;

const CREATE_IF_ABSENT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

/** Mints the next turn atomically: counter, current turn id and its facts in one step. */
const NEW_TURN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local n = redis.call('HINCRBY', KEYS[1], 'turnCounter', 1)
redis.call('HSET', KEYS[1], 'turnId', tostring(n), 'turnKind', ARGV[1], 'turnText', ARGV[2], 'turnAudioStarted', '0')
return tostring(n)`;

@Injectable()
export class CallStateStore {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async get(callId: string): Promise<CallRecord | undefined> {
    return parseCallRecord(await this.redis.hgetall(callKey(callId)));
  }

  /** Creates the call unless it exists: a re-delivered call.initiated never resets a live call. */
  async createIfAbsent(record: Omit<CallRecord, 'turnId' | 'turnKind' | 'turnText' | 'turnAudioStarted' | 'bargedTurn' | 'speaking' | 'reprompts'>): Promise<boolean> {
    const fields = Object.entries({ ...record, turnId: '0', turnCounter: '0', reprompts: '0' }).flatMap(([k, v]) => [k, String(v)]);
    const created = await this.redis.eval(CREATE_IF_ABSENT, 1, callKey(record.callId), String(LIVE_CALL_TTL_S), ...fields);
    return created === 1;
  }

  async setState(callId: string, state: CallState, extra: Record<string, string> = {}): Promise<void> {
    await this.redis.hset(callKey(callId), { state, ...extra });
  }

  async set(callId: string, fields: Record<string, string>): Promise<void> {
    await this.redis.hset(callKey(callId), fields);
  }

  async newTurn(callId: string, kind: TurnKind, text: string): Promise<string | undefined> {
    const id = await this.redis.eval(NEW_TURN, 1, callKey(callId), kind, text);
    return typeof id === 'string' ? id : undefined;
  }

  async incrementReprompts(callId: string): Promise<number> {
    return this.redis.hincrby(callKey(callId), 'reprompts', 1);
  }

  async markEnded(callId: string, reason: string, at: number): Promise<void> {
    const key = callKey(callId);
    await this.redis.hset(key, { state: 'ended', endedReason: reason, endedAt: String(at), speaking: '0' });
    await this.redis.expire(key, ENDED_CALL_TTL_S);
  }
}
