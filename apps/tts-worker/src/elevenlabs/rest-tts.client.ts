import type { Clock, TimerHandle } from '@app/clock';
import { BackoffPolicy, withRetry, type BackoffOptions } from './backoff-policy';
import { REST_BACKOFF, REST_HEADERS_TIMEOUT_MS, REST_MAX_ATTEMPTS, REST_MAX_RETRY_AFTER_MS } from './elevenlabs.constants';
import type { ElevenLabsVoiceSettings } from './elevenlabs.wire';
import { classifyHttpStatus, classifyThrown, TtsError } from './tts-errors';
import type { TtsLogger } from './tts-session.types';

/**
 * The REST fallback: `POST /v1/text-to-speech/{voice}/stream`, audio bytes yielded as they arrive.
 * 429 and 5xx (and network errors) are retried with backoff before the first byte; once audio has
 * flowed, a failure is thrown (retrying would say the start again). Abortable at every await.
 */
export interface RestTtsClientOptions {
  baseUrl: string;
  apiKey: string;
  voiceId: string;
  modelId: string;
  outputFormat: string;
  voiceSettings: ElevenLabsVoiceSettings;
  clock: Clock;
  logger?: TtsLogger;
  backoff?: Partial<BackoffOptions>;
  /** Attempts in all, first included (REST_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** Longest wait for response headers (REST_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs?: number;
  fetch?: typeof fetch;
  random?: () => number;
}

export interface RestSpeakRequest {
  callId: string;
  turnId: string;
  text: string;
  /** Text spoken just before / after, for continuous prosody across sentences. */
  previousText?: string;
  nextText?: string;
  signal?: AbortSignal;
}

function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class ElevenLabsRestClient {
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: RestTtsClientOptions) {
    this.backoff = new BackoffPolicy(REST_BACKOFF, options.backoff, options.random);
  }

  /** Audio of `text` in `outputFormat`, chunk by chunk as the service sends it. */
  stream(request: RestSpeakRequest): AsyncIterable<Buffer> {
    return this.run(request);
  }

  private async *run(request: RestSpeakRequest): AsyncGenerator<Buffer> {
    const { clock, logger } = this.options;
    const details = { turnId: request.turnId };
    const classify = (thrown: unknown): TtsError =>
      request.signal?.aborted
        ? new TtsError('aborted', false, 'aborted', 'request aborted', details)
        : classifyThrown(thrown, details);
    const response = await withRetry((attempt) => this.open(request, attempt), {
      policy: this.backoff,
      maxAttempts: this.options.maxAttempts ?? REST_MAX_ATTEMPTS,
      clock,
      signal: request.signal,
      classify,
      delayOverrideMs: (e) =>
        e.details.retryAfterMs === undefined ? undefined : Math.min(e.details.retryAfterMs, REST_MAX_RETRY_AFTER_MS),
      onRetry: (e, attempt, delayMs) =>
        logger?.warn({ callId: request.callId, turnId: request.turnId, attempt, delayMs, ...e.toLog() }, 'TTS REST retry'),
    });
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const read = await reader.read().catch((thrown: unknown) => {
          throw classify(thrown);
        });
        if (read.done) return;
        if (read.value.byteLength > 0) yield Buffer.from(read.value.buffer, read.value.byteOffset, read.value.byteLength);
      }
    } finally {
      // Also when the consumer stops early: frees the connection.
      await reader.cancel().catch(() => undefined);
    }
  }

  private async open(request: RestSpeakRequest, attempt: number): Promise<Response> {
    const o = this.options;
    const url = new URL(`${o.baseUrl.replace(/\/+$/, '')}/v1/text-to-speech/${encodeURIComponent(o.voiceId)}/stream`);
    url.searchParams.set('output_format', o.outputFormat);
    // One controller per attempt: the caller's signal aborts it, and so does the headers timeout.
    const controller = new AbortController();
    const onAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();
    const headersTimeoutMs = o.headersTimeoutMs ?? REST_HEADERS_TIMEOUT_MS;
    let timedOut = false;
    const timer: TimerHandle = o.clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, headersTimeoutMs);
    try {
      const response = await (o.fetch ?? fetch)(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'xi-api-key': o.apiKey,
          'x-call-id': request.callId,
          'x-turn-id': request.turnId,
        },
        body: JSON.stringify({
          text: request.text,
          model_id: o.modelId,
          voice_settings: o.voiceSettings,
          previous_text: request.previousText,
          next_text: request.nextText,
        }),
        signal: controller.signal,
      });
      if (!response.ok) {
        const body = await response.text().catch(() => '');
        throw classifyHttpStatus(response.status, body, {
          turnId: request.turnId,
          requestId: response.headers.get('request-id') ?? undefined,
          retryAfterMs: retryAfterMs(response.headers.get('retry-after'), o.clock.epochNow()),
        });
      }
      if (!response.body) throw new TtsError('server', true, 'no_body', 'response without a body', { turnId: request.turnId });
      return response;
    } catch (thrown) {
      if (timedOut) {
        throw new TtsError('timeout', true, 'headers_timeout', `no response headers within ${headersTimeoutMs} ms (attempt ${attempt})`, {
          turnId: request.turnId,
        });
      }
      throw thrown;
    } finally {
      o.clock.clearTimeout(timer);
    }
  }
}
