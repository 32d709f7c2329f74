import { BackoffPolicy } from './backoff-policy';
import { RECONNECT_BACKOFF } from './elevenlabs.constants';
import { multiStreamUrl, parseServerMessage } from './elevenlabs.wire';
import { planKeepalive, socketRefreshAfterMs } from './keepalive-scheduler';
import { ContextRegistry } from './context-registry';
import { classifyClose, classifyHttpStatus, classifyThrown } from './tts-errors';
import { FakeClock } from '@app/clock';

/** The adapter's edges: URL, parsing, classification, backoff, keepalive planning. */
describe('ElevenLabs adapter edges', () => {
  it('derives the ws(s) URL from the http(s) base and carries the settings', () => {
    const o = { voiceId: 'v 1', modelId: 'eleven_flash_v2_5', outputFormat: 'ulaw_8000', inactivityTimeoutS: 180, autoMode: true };
    expect(multiStreamUrl({ ...o, baseUrl: 'https://api.elevenlabs.io' })).toBe(
      'wss://api.elevenlabs.io/v1/text-to-speech/v%201/multi-stream-input?model_id=eleven_flash_v2_5&output_format=ulaw_8000&inactivity_timeout=180&auto_mode=true&sync_alignment=true',
    );
    expect(multiStreamUrl({ ...o, baseUrl: 'http://127.0.0.1:9000/sim/' })).toMatch(/^ws:\/\/127\.0\.0\.1:9000\/sim\/v1\/text-to-speech\//);
  });

  it('parses both spellings, falls back to normalizedAlignment, and reads error payloads', () => {
    const audio = Buffer.from('abc').toString('base64');
    expect(parseServerMessage(JSON.stringify({ audio, contextId: 't1', alignment: { chars: ['a'] } }))).toMatchObject({
      contextId: 't1',
      isFinal: false,
      alignment: { chars: ['a'], source: 'alignment' },
    });
    expect(parseServerMessage(JSON.stringify({ audio, context_id: 't2', alignment: null, normalizedAlignment: { chars: ['b'] } }))).toMatchObject({
      contextId: 't2',
      alignment: { chars: ['b'], source: 'normalized' },
    });
    expect(parseServerMessage(JSON.stringify({ is_final: true, context_id: 't3' }))).toEqual({ contextId: 't3', isFinal: true });
    expect(parseServerMessage(JSON.stringify({ isFinal: true, contextId: 't4', audio: null }))).toEqual({ contextId: 't4', isFinal: true });
    expect(parseServerMessage(JSON.stringify({ message: 'Maximum…', error: 'max_active_conversations', code: 1008 }))?.error).toEqual({
      message: 'Maximum…',
      error: 'max_active_conversations',
      code: 1008,
    });
    expect(parseServerMessage('not json')).toBeUndefined();
    expect(parseServerMessage('[1]')).toBeUndefined();
  });

  it('classifies closes once, telling the harmless 1008 idle timeout from real 1008 failures', () => {
    const idle = classifyClose(1008, 'Have not received a new text input within the timeout of 20 seconds');
    expect(idle).toMatchObject({ category: 'idle_timeout', retryable: true, code: 1008 });
    expect(classifyClose(1008, '', { error: 'max_active_conversations', message: 'Maximum simultaneous contexts' })).toMatchObject({
      category: 'context_limit',
      retryable: true,
    });
    expect(classifyClose(1008, 'quota_exceeded')).toMatchObject({ category: 'quota', retryable: false });
    expect(classifyClose(1008, '', { error: 'invalid_api_key', message: 'Invalid API key' })).toMatchObject({ category: 'auth', retryable: false });
    expect(classifyClose(1008, 'voice_settings out of range')).toMatchObject({ category: 'policy', retryable: true });
    expect(classifyClose(1006, '')).toMatchObject({ category: 'network', retryable: true });
    expect(classifyClose(1011, 'internal')).toMatchObject({ category: 'server', retryable: true });
    expect(classifyClose(1012, 'restart')).toMatchObject({ category: 'service_restart', retryable: true });
    expect(classifyClose(1009, 'too big')).toMatchObject({ category: 'message_too_large', retryable: false });
  });

  it('classifies HTTP statuses and thrown errors', () => {
    expect(classifyHttpStatus(429, '{"detail":{"status":"too_many_concurrent_requests"}}')).toMatchObject({ category: 'rate_limit', retryable: true });
    expect(classifyHttpStatus(503, 'system_busy')).toMatchObject({ category: 'server', retryable: true, code: 503 });
    expect(classifyHttpStatus(401, '{"detail":{"status":"quota_exceeded"}}')).toMatchObject({ category: 'quota', retryable: false });
    expect(classifyHttpStatus(401, 'invalid key')).toMatchObject({ category: 'auth', retryable: false });
    expect(classifyHttpStatus(422, 'bad voice')).toMatchObject({ category: 'bad_request', retryable: false });
    expect(classifyThrown(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({
      category: 'network',
      retryable: true,
      code: 'ECONNREFUSED',
    });
    expect(classifyThrown(new DOMException('aborted', 'AbortError'))).toMatchObject({ category: 'aborted', retryable: false });
  });

  it('backs off exponentially up to a ceiling, jitter taking at most its share', () => {
    const none = new BackoffPolicy(RECONNECT_BACKOFF, {}, () => 0);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => none.delayMs(n))).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    const full = new BackoffPolicy(RECONNECT_BACKOFF, {}, () => 1);
    expect(full.delayMs(3)).toBe(500);
    const custom = new BackoffPolicy(RECONNECT_BACKOFF, { initialDelayMs: 100, multiplier: 3 }, () => 0);
    expect(custom.delayMs(3)).toBe(900);
  });

  it('plans keepalives for open, quiet contexts only, and a refresh only for an idle, empty socket', () => {
    const clock = new FakeClock();
    const registry = new ContextRegistry(clock);
    const open = registry.open('1', '1');
    const closing = registry.open('2', '2');
    registry.markClosing(closing);
    clock.advance(9_999);
    expect(planKeepalive(clock.now(), registry.all(), 0, 165_000)).toEqual({ keepalive: [], refreshSocket: false });
    clock.advance(1);
    expect(planKeepalive(clock.now(), registry.all(), 0, 165_000)).toEqual({ keepalive: ['1'], refreshSocket: false });
    open.lastSentAt = clock.now();
    registry.clear();
    clock.advance(165_000);
    expect(planKeepalive(clock.now(), registry.all(), 10_000, 165_000).refreshSocket).toBe(true);
    expect(socketRefreshAfterMs(180)).toBe(165_000);
    expect(socketRefreshAfterMs(20)).toBe(10_000);
  });
});
