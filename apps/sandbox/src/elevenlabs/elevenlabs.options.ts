import { Clock, systemClock } from '@app/clock';
import { ProviderTimeline } from '../timeline/provider-timeline';
import {
  DEFAULT_AUDIO_CHUNK_MS,
  DEFAULT_CHARS_PER_SECOND,
  DEFAULT_ELEVENLABS_API_KEY,
  DEFAULT_FIRST_BYTE_LATENCY_MS,
  DEFAULT_GENERATION_SPEED,
  DEFAULT_HANDSHAKE_LATENCY_MS,
  DEFAULT_MAX_REST_CONCURRENCY,
  MAX_CONTEXTS_PER_SOCKET,
  MAX_REST_TEXT_CHARS,
} from './elevenlabs.constants';
import { DOCUMENTED_SPELLING, MessageSpelling } from './server-messages';

/**
 * What a multi-stream-input context does when it times out. The guide says contexts "timeout after
 * 20 seconds and are closed automatically"; whether the socket survives is not documented. The
 * default closes the socket 1008 with the input-timeout reason (what clients must survive anyway);
 * 'close-context' drops only that context, silently.
 */
export type ContextTimeoutBehavior = 'close-socket' | 'close-context';

export interface ElevenLabsSimulatorOptions {
  /** Loopback by default; port 0 = any free port. */
  host?: string;
  port?: number;
  /** The only `xi-api-key` accepted. */
  apiKey?: string;
  /** Where the ear reads the providers' share of each turn. */
  timeline?: ProviderTimeline;
  clock?: Clock;
  handshakeLatencyMs?: number;
  firstByteLatencyMs?: number;
  /** Audio seconds generated per wall-clock second. */
  generationSpeed?: number;
  charsPerSecond?: number;
  /** Audio per server message / REST chunk, ms. */
  audioChunkMs?: number;
  maxContextsPerSocket?: number;
  /** Per-context idle timeout; default: the socket's `inactivity_timeout` (documented as applying to all contexts). */
  contextIdleTimeoutMs?: number;
  /** Socket idle timeout (no message at all, nothing generating); default: `inactivity_timeout`. */
  socketIdleTimeoutMs?: number;
  contextTimeoutBehavior?: ContextTimeoutBehavior;
  maxRestConcurrency?: number;
  maxRestTextChars?: number;
  /** Field names of server messages (see server-messages.ts). */
  spelling?: Partial<MessageSpelling>;
}

export interface ElevenLabsConfig {
  host: string;
  port: number;
  apiKey: string;
  timeline?: ProviderTimeline;
  clock: Clock;
  handshakeLatencyMs: number;
  firstByteLatencyMs: number;
  generationSpeed: number;
  charsPerSecond: number;
  audioChunkMs: number;
  maxContextsPerSocket: number;
  contextIdleTimeoutMs?: number;
  socketIdleTimeoutMs?: number;
  contextTimeoutBehavior: ContextTimeoutBehavior;
  maxRestConcurrency: number;
  maxRestTextChars: number;
  spelling: MessageSpelling;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`ElevenLabsSimulator: ${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`ElevenLabsSimulator: ${name} must be ≥ 0, got ${value}`);
  return value;
}

export function resolveElevenLabsConfig(o: ElevenLabsSimulatorOptions): ElevenLabsConfig {
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    apiKey: o.apiKey ?? DEFAULT_ELEVENLABS_API_KEY,
    timeline: o.timeline,
    clock: o.clock ?? systemClock,
    handshakeLatencyMs: nonNegative('handshakeLatencyMs', o.handshakeLatencyMs ?? DEFAULT_HANDSHAKE_LATENCY_MS),
    firstByteLatencyMs: nonNegative('firstByteLatencyMs', o.firstByteLatencyMs ?? DEFAULT_FIRST_BYTE_LATENCY_MS),
    generationSpeed: positive('generationSpeed', o.generationSpeed ?? DEFAULT_GENERATION_SPEED),
    charsPerSecond: positive('charsPerSecond', o.charsPerSecond ?? DEFAULT_CHARS_PER_SECOND),
    audioChunkMs: positive('audioChunkMs', o.audioChunkMs ?? DEFAULT_AUDIO_CHUNK_MS),
    maxContextsPerSocket: positive('maxContextsPerSocket', o.maxContextsPerSocket ?? MAX_CONTEXTS_PER_SOCKET),
    contextIdleTimeoutMs: o.contextIdleTimeoutMs === undefined ? undefined : positive('contextIdleTimeoutMs', o.contextIdleTimeoutMs),
    socketIdleTimeoutMs: o.socketIdleTimeoutMs === undefined ? undefined : positive('socketIdleTimeoutMs', o.socketIdleTimeoutMs),
    contextTimeoutBehavior: o.contextTimeoutBehavior ?? 'close-socket',
    maxRestConcurrency: positive('maxRestConcurrency', o.maxRestConcurrency ?? DEFAULT_MAX_REST_CONCURRENCY),
    maxRestTextChars: positive('maxRestTextChars', o.maxRestTextChars ?? MAX_REST_TEXT_CHARS),
    spelling: { ...DOCUMENTED_SPELLING, ...o.spelling },
  };
}
