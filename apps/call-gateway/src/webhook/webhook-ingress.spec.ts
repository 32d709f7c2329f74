import Redis from 'ioredis';
import { GATEWAY_INBOX_STREAM, callKey } from '@app/contracts';
import { RunningApp, bootstrapApp } from '@app/core';
import { TestRedis, startTestRedis } from '../../../../test/support/redis-server';
import { signWebhook, telnyxEvent, telnyxKeyPair } from '../../../../test/support/telnyx-webhooks';
import { callGatewayApp } from '../main';
import { stopInProcess } from '../../test/wait.harness';

/**
 * The gateway's only door from the internet, driven over real HTTP with webhooks signed by a fresh key
 * pair: every rejection publishes nothing, and hostile bodies never take the process down.
 */
describe('Telnyx webhook ingress', () => {
  let redis: TestRedis;
  let gateway: RunningApp;
  let client: Redis;
  let url: string;
  const keys = telnyxKeyPair();

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    gateway = await bootstrapApp(callGatewayApp, {
      REDIS_URL: redis.url,
      GATEWAY_PORT: '0',
      TELNYX_PUBLIC_KEY: keys.publicKeyBase64,
      TELNYX_BASE_URL: 'http://127.0.0.1:9/v2',
      WEBHOOK_MAX_BYTES: String(4096),
      LOG_LEVEL: 'silent',
    });
    url = `http://127.0.0.1:${gateway.port}/webhooks/telnyx`;
  });

  afterAll(async () => {
    await stopInProcess(gateway);
    client.disconnect();
    await redis.stop();
  });

  const post = (body: string | Buffer, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers });
  const inboxLength = () => client.xlen(GATEWAY_INBOX_STREAM);
  const dtmf = (id?: string) => telnyxEvent('call.dtmf.received', { call_control_id: 'v3:fuzz-call', digit: '1' }, id);

  it('stores a verified event in the durable inbox before answering 200', async () => {
    const before = await inboxLength();
    const body = dtmf();
    const res = await post(body, signWebhook(keys.privateKey, body));
    expect(res.status).toBe(200);
    expect(await inboxLength()).toBe(before + 1);
    const [[, fields]] = await client.xrevrange(GATEWAY_INBOX_STREAM, '+', '-', 'COUNT', 1);
    expect(fields.slice(0, 2)).toEqual(['type', 'webhook']);
    expect(fields).toContain('call.dtmf.received');
  });

  it.each([
    ['no signature', (_body: string) => ({ 'content-type': 'application/json', 'telnyx-timestamp': String(Math.floor(Date.now() / 1000)) }), 401],
    ['a signature of another key', (b: string) => signWebhook(telnyxKeyPair().privateKey, b), 401],
    ['a stale timestamp', (b: string) => signWebhook(keys.privateKey, b, Math.floor(Date.now() / 1000) - 301), 401],
    ['a future timestamp', (b: string) => signWebhook(keys.privateKey, b, Math.floor(Date.now() / 1000) + 301), 401],
  ])('answers 401 for %s and publishes nothing', async (_name, headersFor, status) => {
    const before = await inboxLength();
    const body = dtmf();
    const res = await post(body, headersFor(body));
    expect(res.status).toBe(status);
    expect(await inboxLength()).toBe(before);
  });

  it('answers 400 for signed bodies that are not JSON or not a Telnyx event', async () => {
    const before = await inboxLength();
    for (const body of ['{not json', '[]', '{"data":{}}', JSON.stringify({ data: { record_type: 'event', event_type: 'call.answered', id: 'x' } })]) {
      const res = await post(body, signWebhook(keys.privateKey, body));
      expect(res.status).toBe(400);
    }
    expect(await inboxLength()).toBe(before);
  });

  it('answers 413 for a body over the limit', async () => {
    const before = await inboxLength();
    const body = telnyxEvent('call.dtmf.received', { call_control_id: 'v3:big', digit: '1', padding: 'x'.repeat(5000) });
    const res = await post(body, signWebhook(keys.privateKey, body));
    expect(res.status).toBe(413);
    expect(await inboxLength()).toBe(before);
  });

  it('answers 200 to an event type we do not handle, and stores nothing', async () => {
    const before = await inboxLength();
    const body = telnyxEvent('call.recording.saved', { call_control_id: 'v3:rec' });
    const res = await post(body, signWebhook(keys.privateKey, body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: 'ignored' });
    expect(await inboxLength()).toBe(before);
  });

  it('survives 200+ malformed or hostile bodies, publishing none of them', async () => {
    const before = await inboxLength();
    const valid = JSON.parse(dtmf()) as { data: Record<string, unknown> };
    const hostile: string[] = [
      '', ' ', 'null', 'true', '0', '"str"', '{}', '{"data":null}', '{"data":[]}', '{"__proto__":{"polluted":1}}',
      JSON.stringify({ data: { ...valid.data, payload: null } }),
      JSON.stringify({ data: { ...valid.data, payload: { call_control_id: '' } } }),
      JSON.stringify({ data: { ...valid.data, id: 'has spaces in it' } }),
      JSON.stringify({ data: { ...valid.data, record_type: 'not-event' } }),
      JSON.stringify({ data: { ...valid.data, event_type: 42 } }),
      JSON.stringify({ data: { ...valid.data, payload: { call_control_id: 'x'.repeat(300) } } }),
      '{"data":{"record_type":"event","event_type":"call.hangup","id":"1","payload":{"call_control_id":{"$gt":""}}}}',
      '\u0000\u0001\u0002', '{"a":'.repeat(200), '[' .repeat(1000), '\ud800',
    ];
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const base = dtmf();
    while (hostile.length < 220) {
      // Byte-level mutations of a valid event: flipped, dropped and injected characters.
      const chars = [...base];
      for (let i = 0; i < 1 + Math.floor(random() * 6); i++) {
        const at = Math.floor(random() * chars.length);
        const op = random();
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.7) chars[at] = String.fromCharCode(Math.floor(random() * 128));
        else chars.splice(at, 0, '{"}[]:,\\'[Math.floor(random() * 8)]);
      }
      const mutated = chars.join('');
      try {
        const parsed = JSON.parse(mutated) as { data?: { payload?: { call_control_id?: unknown }; event_type?: unknown; id?: unknown } };
        // A mutation that still parses as a well-formed handled event is not hostile: skip it.
        if (parsed?.data?.event_type === 'call.dtmf.received' && typeof parsed.data.payload?.call_control_id === 'string' && typeof parsed.data.id === 'string' && /^[A-Za-z0-9_.:-]+$/.test(parsed.data.id)) continue;
      } catch {
        // not JSON: hostile
      }
      hostile.push(mutated);
    }
    const statuses = new Set<number>();
    for (const body of hostile) {
      const signedRes = await post(body, signWebhook(keys.privateKey, body));
      statuses.add(signedRes.status);
      expect([200, 400]).toContain(signedRes.status);
      const unsignedRes = await post(body, { 'content-type': 'application/json' });
      expect(unsignedRes.status).toBe(401);
    }
    expect(hostile.length).toBeGreaterThanOrEqual(200);
    expect(statuses.has(400)).toBe(true);
    expect(await inboxLength()).toBe(before);
    expect((await fetch(`http://127.0.0.1:${gateway.port}/health/live`)).status).toBe(200);
    expect(await client.exists(callKey('v3:fuzz-call'))).toBe(0);
  });
});
