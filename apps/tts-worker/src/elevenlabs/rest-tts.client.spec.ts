import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '@app/clock';
import { ElevenLabsRestClient } from './rest-tts.client';
import { settle, waitFor } from './testing/session-harness';
import { TtsError } from './tts-errors';

/** The REST fallback against a loopback HTTP server: exact request, streaming, retries, abort. */
interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  aborted: boolean;
}

describe('ElevenLabsRestClient', () => {
  let server: Server;
  let baseUrl: string;
  let clock: FakeClock;
  let seen: Seen[];
  let respond: (res: ServerResponse, n: number) => void;
  let retries: Array<Record<string, unknown>>;

  beforeEach(async () => {
    clock = new FakeClock();
    seen = [];
    retries = [];
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const entry: Seen = { method: req.method, url: req.url, headers: req.headers, body: JSON.parse(raw), aborted: false };
        seen.push(entry);
        res.on('close', () => (entry.aborted = !res.writableFinished));
        respond(res, seen.length);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = () =>
    new ElevenLabsRestClient({
      baseUrl,
      apiKey: 'sk-rest-key',
      voiceId: 'voice-1',
      modelId: 'eleven_flash_v2_5',
      outputFormat: 'ulaw_8000',
      voiceSettings: { stability: 0.5, similarity_boost: 0.75 },
      clock,
      random: () => 0,
      logger: {
        info: () => undefined,
        debug: () => undefined,
        error: () => undefined,
        warn: (fields: object, message: string) => message === 'TTS REST retry' && retries.push(fields as Record<string, unknown>),
      },
    });
  const request = { callId: 'v3:call-1', turnId: '4', text: 'Your table is booked.', previousText: 'Done.', nextText: 'Anything else?' };

  it('posts the documented request and yields audio as it arrives', async () => {
    let finish!: () => void;
    respond = (res) => {
      res.writeHead(200, { 'content-type': 'audio/basic' });
      res.write(Buffer.from('chunk-1'));
      finish = () => res.end(Buffer.from('chunk-2'));
    };
    const iterator = client().stream(request)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.toString()).toBe('chunk-1'); // before the server has even written the second chunk
    finish();
    const rest: string[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value.toString());
    expect(rest.join('')).toBe('chunk-2');

    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe('/v1/text-to-speech/voice-1/stream?output_format=ulaw_8000');
    expect(seen[0].headers).toMatchObject({
      'xi-api-key': 'sk-rest-key',
      'x-call-id': 'v3:call-1',
      'x-turn-id': '4',
      'content-type': 'application/json',
    });
    expect(seen[0].body).toEqual({
      text: 'Your table is booked.',
      model_id: 'eleven_flash_v2_5',
      voice_settings: { stability: 0.5, similarity_boost: 0.75 },
      previous_text: 'Done.',
      next_text: 'Anything else?',
    });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('retries a 429 after the Retry-After the service asked for, then streams', async () => {
    respond = (res, n) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '1' }).end('{"detail":{"status":"too_many_concurrent_requests"}}');
      else res.writeHead(200).end(Buffer.from('audio'));
    };
    const chunks: string[] = [];
    const done = (async () => {
      for await (const c of client().stream(request)) chunks.push(c.toString());
    })();
    await waitFor(() => retries.length === 1, 'first attempt and its backoff');
    expect(retries[0]).toMatchObject({ callId: 'v3:call-1', turnId: '4', attempt: 1, delayMs: 1000, category: 'rate_limit' });
    await clock.advanceAsync(999);
    await settle();
    expect(seen).toHaveLength(1);
    await clock.advanceAsync(1);
    await done;
    expect(seen).toHaveLength(2);
    expect(chunks).toEqual(['audio']);
  });

  it('gives up on 5xx after its attempts with a classified error, and never retries a 401', async () => {
    respond = (res) => res.writeHead(503).end('system_busy');
    const failing = (async () => {
      for await (const _ of client().stream(request)) void _;
    })().catch((e: unknown) => e);
    await waitFor(() => retries.length === 1, 'attempt 1');
    await clock.advanceAsync(200); // REST_BACKOFF: 200 ms, then 400 ms
    await waitFor(() => retries.length === 2, 'attempt 2');
    expect(retries.map((r) => r.delayMs)).toEqual([200, 400]);
    await clock.advanceAsync(400);
    const error = (await failing) as TtsError;
    expect(seen).toHaveLength(3);
    expect(error).toBeInstanceOf(TtsError);
    expect(error).toMatchObject({ category: 'server', retryable: true, code: 503, details: { turnId: '4', status: 503 } });

    seen = [];
    respond = (res) => res.writeHead(401).end('{"detail":{"status":"invalid_api_key"}}');
    const unauthorized = await (async () => {
      for await (const _ of client().stream(request)) void _;
    })().catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ category: 'auth', retryable: false, code: 401 });
    expect(seen).toHaveLength(1);
  });

  it('stops at once when aborted mid-stream or during a backoff', async () => {
    respond = (res) => {
      res.writeHead(200);
      res.write(Buffer.from('chunk-1')); // and never ends
    };
    const controller = new AbortController();
    const got: string[] = [];
    const streaming = (async () => {
      for await (const c of client().stream({ ...request, signal: controller.signal })) {
        got.push(c.toString());
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(await streaming).toMatchObject({ category: 'aborted', retryable: false });
    expect(got).toEqual(['chunk-1']);
    await waitFor(() => seen[0]?.aborted === true, 'server sees the request go away');

    seen = [];
    respond = (res) => res.writeHead(503).end();
    const backingOff = new AbortController();
    const waiting = (async () => {
      for await (const _ of client().stream({ ...request, signal: backingOff.signal })) void _;
    })().catch((e: unknown) => e);
    await waitFor(() => retries.length === 1, 'in backoff');
    backingOff.abort('barge-in');
    expect(await waiting).toMatchObject({ category: 'aborted' });
    expect(seen).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});
