import { IncomingMessage, ServerResponse } from 'node:http';
import { generateAnswer } from './answer.generator';
import { CompletionIdentity, FinishReason, usageOf } from './chunk.builder';
import { AnswerPlan, StreamOutcome, answerWhole, streamAnswer } from './completion.streamer';
import { MAX_REQUEST_BODY_BYTES, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE } from './openai.constants';
import { OpenAiError, bodyTooLarge, incorrectApiKey, invalidJson, missingApiKey, missingParameter, rateLimited, serverError } from './openai-errors';
import { OpenAiFaults } from './openai.faults';
import { AnswerContext, ChatMessage, OpenAiConfig } from './openai.options';
import { countTokens, tokenize } from './tokenizer';

/**
 * `POST /v1/chat/completions`: bearer auth, body checks, faults, then the answer — streamed as SSE
 * when `stream: true`, else one `chat.completion` object. `max_tokens` / `max_completion_tokens` cut
 * the answer with `finish_reason: "length"`. Our client's `x-call-id` / `x-turn-id` headers name the
 * turn in the timeline (request arrival, and each content chunk as it leaves).
 */
export interface ChatDeps {
  config: OpenAiConfig;
  faults: OpenAiFaults;
  /** A scripted answer for this call, if a test queued one. */
  scripted(callId: string | undefined): string | undefined;
  nextId(): number;
  onStart(): void;
  onEnd(outcome: StreamOutcome): void;
}

type Json = Record<string, unknown>;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function sendError(res: ServerResponse, e: OpenAiError, requestId: string): void {
  const body = JSON.stringify(e.body);
  res.writeHead(e.status, { 'content-type': 'application/json', 'x-request-id': requestId, ...e.headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= MAX_REQUEST_BODY_BYTES) parts.push(part);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BODY_BYTES ? undefined : Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

/** Text of a message's content: a string, or the text parts of a content array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part && typeof part === 'object' && typeof (part as Json).text === 'string' ? (part as Json).text : '')).join('');
}

function answerFor(deps: ChatDeps, context: AnswerContext): string {
  return deps.scripted(context.callId) ?? deps.config.answer?.(context) ?? generateAnswer(context.question);
}

export async function handleChatCompletions(req: IncomingMessage, res: ServerResponse, deps: ChatDeps): Promise<void> {
  const { config } = deps;
  const startedAt = config.clock.now();
  // The provider's time starts when the request reaches it, before its body is read.
  const arrivedAt = config.clock.epochNow();
  const seq = deps.nextId();
  const requestId = `req_sim${String(seq).padStart(8, '0')}`;
  const auth = header(req, 'authorization');
  const key = auth?.match(/^Bearer\s+(.+)$/i)?.[1];
  const raw = await readBody(req);
  if (!key) return sendError(res, missingApiKey(), requestId);
  if (key !== config.apiKey) return sendError(res, incorrectApiKey(key), requestId);
  if (raw === undefined) return sendError(res, bodyTooLarge(), requestId);
  let body: Json;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Json;
  } catch {
    return sendError(res, invalidJson(), requestId);
  }
  if (typeof body.model !== 'string') return sendError(res, missingParameter('model'), requestId);
  if (!Array.isArray(body.messages) || body.messages.length === 0) return sendError(res, missingParameter('messages'), requestId);
  const messages = body.messages as ChatMessage[];
  const callId = header(req, 'x-call-id');
  const turnId = header(req, 'x-turn-id');
  const timed = callId !== undefined && turnId !== undefined;
  if (timed) config.timeline?.llmRequest(callId, turnId, arrivedAt);

  const fault = deps.faults.take();
  if (fault?.kind === 'rate-limit') return sendError(res, rateLimited(body.model, fault.retryAfterS), requestId);
  if (fault?.kind === 'server-error') return sendError(res, serverError(), requestId);

  const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
  const question = lastUser ? textOf(lastUser.content) : '';
  let tokens = tokenize(answerFor(deps, { callId, turnId, model: body.model, messages, question }));
  const limit = [body.max_completion_tokens, body.max_tokens].find((v): v is number => typeof v === 'number' && v > 0);
  let finishReason: FinishReason = 'stop';
  if (limit !== undefined && tokens.length > limit) {
    tokens = tokens.slice(0, limit);
    finishReason = 'length';
  }
  const promptTokens = messages.reduce((n, m) => n + TOKENS_PER_MESSAGE + countTokens(textOf(m?.content)), REPLY_PRIMING_TOKENS);
  const streamOptions = (body.stream_options ?? {}) as Json;
  const identity: CompletionIdentity = {
    id: `chatcmpl-sim${String(seq).padStart(8, '0')}`,
    created: Math.floor(config.clock.epochNow() / 1000),
    model: body.model,
    systemFingerprint: 'fp_sim0001',
    includeUsage: streamOptions.include_usage === true,
    includeObfuscation: streamOptions.include_obfuscation !== false,
  };
  const plan: AnswerPlan = {
    identity,
    tokens,
    finishReason,
    usage: usageOf(promptTokens, tokens.length),
    startedAt,
    firstTokenMs: config.firstTokenLatencyMs + (fault?.kind === 'slow-first-token' ? fault.extraMs : 0),
    tokenIntervalMs: config.tokenIntervalMs,
    cutAfterTokens: fault?.kind === 'cut-stream' ? fault.afterTokens : undefined,
    headers: { 'x-request-id': requestId, 'openai-version': '2020-10-01', 'openai-processing-ms': String(Math.round(config.firstTokenLatencyMs)) },
  };
  deps.onStart();
  const hooks = {
    onContent: (text: string) => {
      if (timed) config.timeline?.llmChunk(callId, turnId, text, config.clock.epochNow());
    },
    onEnd: deps.onEnd,
  };
  if (body.stream === true) streamAnswer(res, plan, config.clock, hooks);
  else answerWhole(res, plan, config.clock, hooks);
}
