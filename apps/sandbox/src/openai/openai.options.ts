import { Clock, systemClock } from '@app/clock';
import { ProviderTimeline } from '../timeline/provider-timeline';
import { DEFAULT_FIRST_TOKEN_LATENCY_MS, DEFAULT_OPENAI_API_KEY, DEFAULT_TOKENS_PER_SECOND } from './openai.constants';

export interface ChatMessage {
  role: string;
  content: unknown;
}

/** What an answer function sees of a request. */
export interface AnswerContext {
  callId?: string;
  turnId?: string;
  model: string;
  messages: ChatMessage[];
  /** Text of the last user message ('' when there is none). */
  question: string;
}

export interface OpenAiSimulatorOptions {
  /** Loopback by default; port 0 = any free port. */
  host?: string;
  port?: number;
  /** The only bearer key accepted. */
  apiKey?: string;
  timeline?: ProviderTimeline;
  clock?: Clock;
  firstTokenLatencyMs?: number;
  tokensPerSecond?: number;
  /** Replaces the built-in answer generator (scripted answers still come first). */
  answer?: (context: AnswerContext) => string;
}

export interface OpenAiConfig {
  host: string;
  port: number;
  apiKey: string;
  timeline?: ProviderTimeline;
  clock: Clock;
  firstTokenLatencyMs: number;
  tokenIntervalMs: number;
  answer?: (context: AnswerContext) => string;
}

export function resolveOpenAiConfig(o: OpenAiSimulatorOptions): OpenAiConfig {
  const firstTokenLatencyMs = o.firstTokenLatencyMs ?? DEFAULT_FIRST_TOKEN_LATENCY_MS;
  const tokensPerSecond = o.tokensPerSecond ?? DEFAULT_TOKENS_PER_SECOND;
  if (!Number.isFinite(firstTokenLatencyMs) || firstTokenLatencyMs < 0) throw new Error(`OpenAiSimulator: firstTokenLatencyMs must be ≥ 0, got ${firstTokenLatencyMs}`);
  if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) throw new Error(`OpenAiSimulator: tokensPerSecond must be > 0, got ${tokensPerSecond}`);
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    apiKey: o.apiKey ?? DEFAULT_OPENAI_API_KEY,
    timeline: o.timeline,
    clock: o.clock ?? systemClock,
    firstTokenLatencyMs,
    tokenIntervalMs: 1000 / tokensPerSecond,
    answer: o.answer,
  };
}
