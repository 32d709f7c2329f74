import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_OUTPUT_FORMAT, MAX_REST_BODY_BYTES } from './elevenlabs.constants';
import { ElevenLabsFaults } from './elevenlabs.faults';
import { ElevenLabsConfig } from './elevenlabs.options';
import { contentTypeOf, isSimulatedFormat, parseOutputFormat } from './output-format';
import { outputFormatError, validateRestBody } from './rest-body.validator';
import { planSpeech } from './speech-plan';
import { SynthesisJob } from './synthesis.job';

/**
 * `POST /v1/text-to-speech/{voice_id}/stream?output_format=...` (OpenAPI): `xi-api-key` header, JSON
 * body, chunked audio bytes paced like the sockets (first byte after `firstByteLatencyMs`, then
 * `generationSpeed` × real time). The first request on a new TCP connection pays the handshake
 * latency, as a new TLS connection does; keep-alive reuse does not. Over `maxRestConcurrency`
 * generations → 429 `too_many_concurrent_requests` with the documented `current-concurrent-requests` /
 * `maximum-concurrent-requests` headers.
 */
export interface RestDeps {
  config: ElevenLabsConfig;
  faults: ElevenLabsFaults;
  /** Generations streaming right now (shared across requests). */
  active: { count: number };
  seenConnections: WeakSet<Socket>;
  requestId(): string;
}

function writeJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string>): void {
  const body = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= MAX_REST_BODY_BYTES) parts.push(part);
    });
    req.on('end', () => resolve(size > MAX_REST_BODY_BYTES ? undefined : Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function tooManyRequests(deps: RestDeps): [unknown, Record<string, string>] {
  const max = deps.config.maxRestConcurrency;
  // Body as the service sends it (quoted in haguro/elevenlabs-go PR #25).
  const message = `Too many concurrent requests. Your current subscription is associated with a maximum of ${max} concurrent requests (running in parallel). This is done such that a single user does not overwhelm our systems and affect other users negatively. Please upgrade your subscription or contact sales if you want to increase this limit.`;
  const headers = { 'current-concurrent-requests': String(deps.active.count), 'maximum-concurrent-requests': String(max) };
  return [{ detail: { status: 'too_many_concurrent_requests', message } }, headers];
}

export async function handleRestStream(req: IncomingMessage, res: ServerResponse, url: URL, deps: RestDeps): Promise<void> {
  const { config } = deps;
  const requestId = deps.requestId();
  const sendJson = (status: number, json: unknown, headers: Record<string, string> = {}) =>
    writeJson(res, status, json, { 'request-id': requestId, ...headers });
  const callId = header(req, 'x-call-id');
  const turnId = header(req, 'x-turn-id');
  if (!deps.seenConnections.has(req.socket)) {
    deps.seenConnections.add(req.socket);
    const record = callId ? config.timeline?.ttsConnectStarted(callId, config.clock.epochNow()) : undefined;
    await config.clock.sleep(config.handshakeLatencyMs);
    if (record) config.timeline?.ttsConnectOpened(record, config.clock.epochNow());
  }
  const body = await readBody(req);
  if (header(req, 'xi-api-key') !== config.apiKey) {
    return sendJson(401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } });
  }
  const formatName = url.searchParams.get('output_format') ?? DEFAULT_OUTPUT_FORMAT;
  const format = parseOutputFormat(formatName);
  if (!format) return sendJson(...rejection(outputFormatError(formatName)));
  if (!isSimulatedFormat(format)) {
    return sendJson(400, { detail: { status: 'unsupported_output_format', message: `The simulator cannot encode ${formatName}; use ulaw, alaw, pcm or mp3.` } });
  }
  if (body === undefined) return sendJson(413, { detail: 'Request body too large' });
  const validation = validateRestBody(body, config.maxRestTextChars);
  if (!validation.ok) return sendJson(...rejection(validation));
  if (deps.faults.takeRestRateLimit() || deps.active.count >= config.maxRestConcurrency) {
    const [json, headers] = tooManyRequests(deps);
    return sendJson(429, json, headers);
  }
  const text = validation.body.text;
  if (callId && turnId) config.timeline?.ttsText(callId, turnId, text, config.clock.epochNow());
  deps.active.count++;
  res.writeHead(200, {
    'content-type': contentTypeOf(format),
    'request-id': requestId,
    'current-concurrent-requests': String(deps.active.count),
    'maximum-concurrent-requests': String(config.maxRestConcurrency),
  });
  res.flushHeaders();
  let released = false;
  const release = () => {
    if (!released) deps.active.count--;
    released = true;
  };
  const plan = planSpeech(text, format, { charsPerSecond: config.charsPerSecond, chunkMs: config.audioChunkMs });
  const timing = { firstByteMs: config.firstByteLatencyMs + deps.faults.takeFirstByteDelayMs(), speed: config.generationSpeed };
  const job = new SynthesisJob(
    plan,
    timing,
    config.clock,
    (chunk) => {
      if (res.destroyed) return false;
      const audio = chunk.audio();
      res.write(audio);
      if (callId && turnId) config.timeline?.ttsAudio(callId, turnId, audio.length, config.clock.epochNow());
      return true;
    },
    () => {
      release();
      res.end();
    },
  );
  res.on('close', () => {
    job.cancel();
    release();
  });
  job.start(config.clock.now());
}

function rejection(r: { status: number; json: unknown }): [number, unknown] {
  return [r.status, r.json];
}
