import { Agent, request } from 'node:http';
import { ConnectionRecord, ProviderTimeline } from '../timeline/provider-timeline';
import { DEFAULT_ELEVENLABS_API_KEY } from './elevenlabs.constants';
import { ElevenLabsSimulator } from './elevenlabs.simulator';
import { ulawToLinear } from './ulaw.codec';

const HANDSHAKE_MS = 60;
const FIRST_BYTE_MS = 50;
const SLACK_MS = 120;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Arrival of each body chunk, ms after the request was sent. */
  chunkTimes: number[];
}

/** One POST over node:http, so body chunks and their timing are visible (fetch would hide them). */
function post(url: string, body: unknown, headers: Record<string, string>, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      const chunkTimes: number[] = [];
      res.on('data', (part: Buffer) => {
        parts.push(part);
        chunkTimes.push(performance.now() - started);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), chunkTimes }));
    });
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

class RecordingTimeline extends ProviderTimeline {
  readonly connects: ConnectionRecord[] = [];
  override ttsConnectStarted(callId: string, at?: number): ConnectionRecord {
    const record = super.ttsConnectStarted(callId, at);
    this.connects.push(record);
    return record;
  }
}

describe('ElevenLabsSimulator REST stream', () => {
  let sim: ElevenLabsSimulator;
  let url: string;
  let timeline: RecordingTimeline;
  const key = { 'xi-api-key': DEFAULT_ELEVENLABS_API_KEY };
  const body = { text: 'Hello from the fallback. ', model_id: 'eleven_flash_v2_5', voice_settings: { stability: 0.5 }, previous_text: null, next_text: 'Next.' };

  beforeEach(async () => {
    timeline = new RecordingTimeline();
    sim = new ElevenLabsSimulator({ handshakeLatencyMs: HANDSHAKE_MS, firstByteLatencyMs: FIRST_BYTE_MS, maxRestConcurrency: 2, timeline });
    url = `${(await sim.start()).url}/v1/text-to-speech/voice-1/stream?output_format=ulaw_8000`;
  });

  afterEach(() => sim.close());

  it('streams μ-law in several chunks after the first-byte latency, paying the handshake once per connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { ...key, 'x-call-id': 'call-1', 'x-turn-id': 'turn-1' };
    const first = await post(url, body, headers, agent);
    const second = await post(url, body, { ...headers, 'x-turn-id': 'turn-2' }, agent);
    agent.destroy();

    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('audio/basic');
    expect(first.headers['transfer-encoding']).toBe('chunked');
    expect(first.headers['maximum-concurrent-requests']).toBe('2');
    expect(first.body.length).toBe(Math.round((25 / 15) * 1000) * 8);
    expect(Math.max(...Array.from(first.body.subarray(0, 400), (b) => Math.abs(ulawToLinear(b))))).toBeGreaterThan(3000);
    expect(first.chunkTimes.length).toBeGreaterThan(3);
    expect(first.chunkTimes[0]).toBeGreaterThanOrEqual(HANDSHAKE_MS + FIRST_BYTE_MS - 1);
    expect(first.chunkTimes[0]).toBeLessThan(HANDSHAKE_MS + FIRST_BYTE_MS + SLACK_MS);
    // Same keep-alive connection: no second handshake.
    expect(second.chunkTimes[0]).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 1);
    expect(second.chunkTimes[0]).toBeLessThan(HANDSHAKE_MS + FIRST_BYTE_MS - 5);
    expect(timeline.connects).toHaveLength(1);
    const turn = timeline.get('call-1', 'turn-1')!;
    expect(turn.ttsFirstText).toBe(body.text);
    expect(turn.ttsAudioBytes).toBe(first.body.length);
    expect(turn.ttsFirstAudioAt! - turn.ttsFirstTextAt!).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 1);
  });

  it('answers 429 too_many_concurrent_requests above the concurrency, and for forced calls', async () => {
    const running = [post(url, body, key), post(url, body, key)];
    await new Promise((r) => setTimeout(r, HANDSHAKE_MS + 20));
    expect(sim.activeRestGenerations()).toBe(2);
    const over = await post(url, body, key);
    expect(over.status).toBe(429);
    const detail = JSON.parse(over.body.toString()).detail;
    expect(detail.status).toBe('too_many_concurrent_requests');
    expect(detail.message).toMatch(/^Too many concurrent requests\. Your current subscription is associated with a maximum of 2 concurrent requests/);
    expect(over.headers['current-concurrent-requests']).toBe('2');
    await Promise.all(running);
    expect(sim.activeRestGenerations()).toBe(0);

    sim.rateLimitNextRestCalls(1);
    expect((await post(url, body, key)).status).toBe(429);
    expect((await post(url, body, key)).status).toBe(200);
  });

  it('rejects a wrong key (401), a bad body (422) and an over-long text (400) in the service shapes', async () => {
    const unauthorized = await post(url, body, { 'xi-api-key': 'wrong' });
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.body.toString())).toEqual({ detail: { status: 'invalid_api_key', message: 'Invalid API key' } });

    const missing = await post(url, { model_id: 'x' }, key);
    expect(missing.status).toBe(422);
    expect(JSON.parse(missing.body.toString()).detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'text'], msg: 'Field required' });

    const notJson = await post(url, '{"text": ', key);
    expect(notJson.status).toBe(422);
    expect(JSON.parse(notJson.body.toString()).detail[0]).toMatchObject({ type: 'json_invalid' });

    const wrongType = await post(url, { text: 42 }, key);
    expect(JSON.parse(wrongType.body.toString()).detail[0]).toMatchObject({ type: 'string_type', loc: ['body', 'text'] });

    const badFormat = await post(url.replace('ulaw_8000', 'wav'), body, key);
    expect(badFormat.status).toBe(422);
    expect(JSON.parse(badFormat.body.toString()).detail[0]).toMatchObject({ type: 'enum', loc: ['query', 'output_format'] });

    const long = await post(url, { text: 'a'.repeat(40_001) }, key);
    expect(long.status).toBe(400);
    expect(JSON.parse(long.body.toString()).detail.status).toBe('max_character_limit_exceeded');
  });

  it('stops generating and frees the slot when the client goes away mid-stream', async () => {
    await new Promise<void>((resolve) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...key } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ text: 'A long answer that would take a while to speak out loud. ' }));
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.activeRestGenerations()).toBe(0);
  });
});
