import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleChatCompletions, sendError } from './chat-completions.handler';
import { StreamOutcome } from './completion.streamer';
import { DEFAULT_CUT_AFTER_TOKENS, DEFAULT_RETRY_AFTER_S } from './openai.constants';
import { invalidUrl } from './openai-errors';
import { OpenAiFaults } from './openai.faults';
import { OpenAiConfig, OpenAiSimulatorOptions, resolveOpenAiConfig } from './openai.options';

/**
 * An OpenAI-compatible chat completions server on loopback, for the official `openai` SDK:
 * `new OpenAI({ baseURL: url, apiKey })`. Deterministic answers (or scripted ones per call), the
 * API's SSE framing, errors and latencies, faults for the next requests, and counters for tests.
 */
export class OpenAiSimulator {
  private readonly config: OpenAiConfig;
  private readonly faults = new OpenAiFaults();
  private readonly scripts = new Map<string, string[]>();
  private server?: Server;
  private sequence = 0;
  private counts = { started: 0, active: 0, completed: 0, aborted: 0, cut: 0 };

  constructor(options: OpenAiSimulatorOptions = {}) {
    this.config = resolveOpenAiConfig(options);
  }

  /** `url` ends in `/v1`: the value for `OPENAI_BASE_URL` / the SDK's `baseURL`. */
  async start(): Promise<{ port: number; url: string }> {
    if (this.server) throw new Error('OpenAiSimulator already started');
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://simulator').pathname;
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        void handleChatCompletions(req, res, {
          config: this.config,
          faults: this.faults,
          scripted: (callId) => (callId === undefined ? undefined : this.scripts.get(callId)?.shift()),
          nextId: () => ++this.sequence,
          onStart: () => {
            this.counts.started++;
            this.counts.active++;
          },
          onEnd: (outcome: StreamOutcome) => {
            this.counts.active--;
            this.counts[outcome]++;
          },
        }).catch(() => res.destroy());
        return;
      }
      sendError(res, invalidUrl(req.method ?? 'GET', path), `req_sim${String(++this.sequence).padStart(8, '0')}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    return { port, url: `http://${this.config.host}:${port}/v1` };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next requests carrying `x-call-id: callId` get these answers, in order, word for word. */
  scriptAnswers(callId: string, ...answers: string[]): void {
    this.scripts.set(callId, [...(this.scripts.get(callId) ?? []), ...answers]);
  }

  // ── faults, each for the next `count` requests (first armed, first served) ───────────────────

  slowFirstToken(extraMs: number, count = 1): void {
    this.faults.arm({ kind: 'slow-first-token', extraMs }, count);
  }

  /** 429 `rate_limit_exceeded` with `retry-after` (seconds) and the x-ratelimit headers. */
  rateLimit(count = 1, retryAfterS = DEFAULT_RETRY_AFTER_S): void {
    this.faults.arm({ kind: 'rate-limit', retryAfterS }, count);
  }

  serverError(count = 1): void {
    this.faults.arm({ kind: 'server-error' }, count);
  }

  /** Destroys the connection after `afterTokens` content tokens: no finish chunk, no [DONE]. */
  cutStream(count = 1, afterTokens = DEFAULT_CUT_AFTER_TOKENS): void {
    this.faults.arm({ kind: 'cut-stream', afterTokens }, count);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ── counters ─────────────────────────────────────────────────────────────────────────────────

  /** Answers that were being generated when the client went away (AbortController, socket closed). */
  get abortedStreams(): number {
    return this.counts.aborted;
  }
  get completedStreams(): number {
    return this.counts.completed;
  }
  get cutStreams(): number {
    return this.counts.cut;
  }
  /** Answers being generated right now (leak assertions: 0 once every turn is over). */
  get activeStreams(): number {
    return this.counts.active;
  }
  /** Requests that reached generation (auth, body and error faults excluded). */
  get startedStreams(): number {
    return this.counts.started;
  }
}
