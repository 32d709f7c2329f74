import { decodeMessage, encodeMessage, message } from './codec';
import { shardOf } from './shard';
import { callKey, audioStream, ttsShardLeaseKey, ttsShardStream } from './streams';
import { signMediaToken, verifyMediaToken } from './media-token';

describe('bus message codec', () => {
  it('encodes flat, readable fields with type first and decodes them back typed', () => {
    const sentence = message('sentence', { callId: 'v3:abc-1', turnId: '3', seq: 2, text: 'Hello there.', last: true, kind: 'user', at: 1700000000123.5 });
    const fields = encodeMessage(sentence);
    expect(fields).toEqual(['type', 'sentence', 'callId', 'v3:abc-1', 'turnId', '3', 'seq', '2', 'text', 'Hello there.', 'last', '1', 'kind', 'user', 'at', '1700000000123.5']);
    expect(decodeMessage(fields)).toEqual({ ok: true, message: sentence });
  });

  it.each([
    [['callId', 'c1'], /unknown message type null/],
    [['type', 'nonsense'], /unknown message type "nonsense"/],
    [['type', 'sentence', 'callId', 'c1', 'turnId', '1', 'seq', '-1', 'text', 'x', 'last', '0', 'kind', 'user', 'at', '1'], /seq/],
    [['type', 'sentence', 'callId', 'c 1', 'turnId', '1', 'seq', '0', 'text', 'x', 'last', '0', 'kind', 'user', 'at', '1'], /callId/],
    [['type', 'sentence', 'callId', 'c1', 'turnId', '1', 'seq', '0', 'text', 'x', 'last', 'maybe', 'kind', 'user', 'at', '1'], /last/],
    [['type', 'audio', 'callId', 'c1', 'turnId', '1', 'seq', '0', 'chunk', '0', 'format', 'ulaw_8000', 'payload', 'not base64!', 'fence', '1', 'at', '1'], /payload/],
    [['type', 'turn.cancel', 'callId', 'c1', 'turnId', '1', 'reason', 'because', 'at', '1'], /reason/],
  ])('rejects a malformed entry %j with the reason', (fields, reason) => {
    const result = decodeMessage(fields as string[]);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });
});

describe('key names', () => {
  it('puts every per-call key under the call hash tag and spreads shard keys over tags', () => {
    expect(callKey('v3:x')).toBe('call:{v3:x}');
    expect(audioStream('v3:x')).toBe('audio:{v3:x}');
    expect(ttsShardStream(7)).toBe('tts:{s7}:in');
    expect(ttsShardLeaseKey(7)).toBe('tts:{s7}:lease');
    expect(new Set(Array.from({ length: 64 }, (_, i) => ttsShardStream(i))).size).toBe(64);
  });

  it('maps a call to a stable shard in range', () => {
    const shards = Array.from({ length: 1000 }, (_, i) => shardOf(`v3:call-${i}`, 64));
    expect(shards.every((s) => s >= 0 && s < 64)).toBe(true);
    expect(new Set(shards).size).toBeGreaterThan(50);
    expect(shardOf('v3:call-1', 64)).toBe(shardOf('v3:call-1', 64));
    expect(() => shardOf('x', 0)).toThrow(RangeError);
  });
});

describe('media token', () => {
  it('accepts only the token made for that call with that secret', () => {
    const token = signMediaToken('v3:a', 'secret-secret-secret');
    expect(verifyMediaToken('v3:a', token, 'secret-secret-secret')).toBe(true);
    expect(verifyMediaToken('v3:b', token, 'secret-secret-secret')).toBe(false);
    expect(verifyMediaToken('v3:a', token, 'other-secret-secret!')).toBe(false);
    expect(verifyMediaToken('v3:a', undefined, 'secret-secret-secret')).toBe(false);
    expect(verifyMediaToken('v3:a', token.slice(1), 'secret-secret-secret')).toBe(false);
  });
});
