import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { Clock } from '@app/clock';

export interface LlmStreamRequest {
  client: OpenAI;
  model: string;
  messages: ChatCompletionMessageParam[];
  temperature: number;
  maxTokens: number;
  firstTokenTimeoutMs: number;
  signal: AbortSignal;
  headers: Record<string, string>;
  clock: Clock;
}

export type LlmFailureCategory = 'first-token-timeout' | 'rate-limited' | 'server-error' | 'connection' | 'stream-cut' | 'client-error';

/** An LLM failure classified once, at the edge: callers branch on `retryable`, never on text. */
export class LlmStreamError extends Error {
  constructor(
    readonly category: LlmFailureCategory,
    readonly retryable: boolean,
    readonly status?: number,
    detail?: string,
  ) {
    super(`llm ${category}${status ? ` (${status})` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'LlmStreamError';
  }
}

export function classifyLlmError(error: unknown): LlmStreamError {
  if (error instanceof LlmStreamError) return error;
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    if (error.status === 429) return new LlmStreamError('rate-limited', true, 429, error.message);
    if (error.status >= 500) return new LlmStreamError('server-error', true, error.status, error.message);
    return new LlmStreamError('client-error', false, error.status, error.message);
  }
  if (error instanceof OpenAI.APIConnectionError) return new LlmStreamError('connection', true, undefined, error.message);
  return new LlmStreamError('stream-cut', true, undefined, String(error));
}

/**
 * Streams the answer's text deltas. The first token must come within `firstTokenTimeoutMs` (else the
 * request is aborted and classified retryable); a cancel aborts the HTTP stream at once.
 */
export async function* streamAnswer(request: LlmStreamRequest): AsyncGenerator<string> {
  const attempt = new AbortController();
  const onCancel = () => attempt.abort(request.signal.reason);
  request.signal.addEventListener('abort', onCancel, { once: true });
  let timedOut = false;
  const timer = request.clock.setTimeout(() => {
    timedOut = true;
    attempt.abort(new LlmStreamError('first-token-timeout', true));
  }, request.firstTokenTimeoutMs);
  try {
    const stream = await request.client.chat.completions.create(
      {
        model: request.model,
        messages: request.messages,
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        stream: true,
      },
      { signal: attempt.signal, headers: request.headers },
    );
    let first = true;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (!delta) continue;
      if (first) {
        request.clock.clearTimeout(timer);
        first = false;
      }
      yield delta;
    }
    // The SDK ends its stream quietly (no throw) when the request is aborted mid-body: an abort must
    // not pass for a complete, possibly empty, answer.
    if (attempt.signal.aborted) throw attempt.signal.reason;
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (timedOut) throw new LlmStreamError('first-token-timeout', true);
    throw classifyLlmError(error);
  } finally {
    request.clock.clearTimeout(timer);
    request.signal.removeEventListener('abort', onCancel);
  }
}
