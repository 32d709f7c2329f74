import { systemClock } from '@app/clock';
import { cappedBackoffDelayMs, RETRY_MAX_DELAY_MS } from './retry-backoff';
import { readLoopKeyOf, slotOf } from './stream-slots';
import { parseAutoClaimReply, parseReadReply, StreamReplyError } from './stream-replies';
import { isBusyGroupError, isNoGroupError, redisErrorCode } from './redis-errors';
import { resolveServerOptions } from './redis-streams.options';
import { RedisClient } from './bus.types';

describe('cappedBackoffDelayMs', () => {
  const noJitter = () => 0.5;
  it('doubles from 50 ms and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 30].map((attempt) => cappedBackoffDelayMs(attempt, undefined, undefined, noJitter))).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
  });
  it('jitters by at most 20 % and never past the cap', () => {
    expect(cappedBackoffDelayMs(3, undefined, undefined, () => 0)).toBe(160);
    expect(cappedBackoffDelayMs(3, undefined, undefined, () => 1)).toBe(240);
    expect(cappedBackoffDelayMs(20, undefined, undefined, () => 1)).toBe(RETRY_MAX_DELAY_MS);
  });
});

describe('readLoopKeyOf', () => {
  it('shares one loop per group (and one for plain streams) on a single node', () => {
    expect(readLoopKeyOf({ stream: 'tts:{s1}:in', group: 'tts-worker' }, false)).toEqual({ id: 'group:tts-worker', group: 'tts-worker', slot: undefined });
    expect(readLoopKeyOf({ stream: 'tts:{s2}:in', group: 'tts-worker' }, false).id).toBe('group:tts-worker');
    expect(readLoopKeyOf({ stream: 'calls:control' }, false).id).toBe('plain');
  });
  it('splits by hash slot in a cluster, keeping hash-tagged keys together', () => {
    expect(slotOf('tts:{s1}:in')).toBe(slotOf('s1'));
    expect(slotOf('audio:{v3:a}')).toBe(slotOf('call:{v3:a}'));
    expect(readLoopKeyOf({ stream: 'tts:{s1}:in', group: 'tts-worker' }, true)).toEqual({ id: `group:tts-worker@${slotOf('s1')}`, group: 'tts-worker', slot: slotOf('s1') });
    expect(readLoopKeyOf({ stream: 'audio:{v3:a}' }, true).id).toBe(`plain@${slotOf('v3:a')}`);
  });
});

describe('stream replies', () => {
  it('reads XREAD replies, a timeout as no batches', () => {
    expect(parseReadReply(null)).toEqual([]);
    expect(parseReadReply([['s', [['1-0', ['type', 'x']]]]])).toEqual([{ stream: 's', entries: [{ id: '1-0', fields: ['type', 'x'] }] }]);
    expect(() => parseReadReply('OK')).toThrow(StreamReplyError);
  });
  it('reads XAUTOCLAIM replies of Redis 6.2 (deleted entries as nil) and 7 (deleted ids listed)', () => {
    expect(parseAutoClaimReply(['0-0', [['1-0', null]]])).toEqual({ cursor: '0-0', entries: [{ id: '1-0', fields: null }], deletedIds: [] });
    expect(parseAutoClaimReply(['5-0', [['2-0', ['a', '1']]], ['1-0']])).toEqual({ cursor: '5-0', entries: [{ id: '2-0', fields: ['a', '1'] }], deletedIds: ['1-0'] });
  });
});

describe('redis error codes', () => {
  const replyError = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
  it('classifies by the reply code only', () => {
    expect(isNoGroupError(replyError("NOGROUP No such key 'turns' or consumer group 'llm-worker'"))).toBe(true);
    expect(isBusyGroupError(replyError('BUSYGROUP Consumer Group name already exists'))).toBe(true);
    expect(isNoGroupError(new Error('NOGROUP but not a reply'))).toBe(false);
    expect(redisErrorCode(replyError('ERR unknown command'))).toBe('ERR');
  });
});

describe('server options', () => {
  const base = { createClient: () => ({}) as RedisClient, consumer: 'c', streams: [], clock: systemClock };
  it('fills in the documented defaults', () => {
    expect(resolveServerOptions(base)).toMatchObject({ blockMs: 1000, batchSize: 100, maxInFlight: 256, maxDeliveries: 5, claimIdleMs: 30_000, claimIntervalMs: 5_000, closeTimeoutMs: 5_000 });
  });
  it('refuses values that cannot work, naming the field', () => {
    expect(() => resolveServerOptions({ ...base, maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => resolveServerOptions({ ...base, consumer: '' })).toThrow(/consumer/);
    expect(() => resolveServerOptions({ ...base, claimIdleMs: 1000, claimIntervalMs: 600 })).toThrow(/claimIntervalMs \(600\) must be at most half of claimIdleMs \(1000\)/);
  });
});
