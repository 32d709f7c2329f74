import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { StreamLagSource, registerStreamGroupGauges } from './stream-lag.collector';

/**
 * Turn latencies (first audio, TTS time to first byte, LLM first token): dense from 100 ms to 1.5 s,
 * where a phone agent is judged (under ~800 ms to first audio feels live, past ~1.5 s the caller talks
 * over it), with a sparse tail to 10 s so that stalls are counted rather than lost in +Inf.
 */
export const LATENCY_BUCKETS_MS = [50, 100, 200, 300, 400, 500, 600, 700, 800, 1000, 1250, 1500, 2000, 3000, 5000, 10_000];
/**
 * Our own overhead per turn (first audio minus the providers' time): a few ms when healthy (each Redis
 * hop ~0.05 ms, frame pacing 20 ms), so fine buckets low down; anything past 250 ms is a fault.
 */
export const OVERHEAD_BUCKETS_MS = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 250, 500, 1000];
/**
 * Silence between two sentences of one turn as the caller hears it: 0 when audio keeps ahead of
 * playback; 20 ms is one Telnyx media frame; past ~300 ms the caller hears a pause and may barge in.
 */
export const GAP_BUCKETS_MS = [0, 20, 40, 60, 100, 150, 200, 300, 500, 1000, 2000];

/** The Prometheus text exposition format that `render()` produces. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Injection token of the process's AppMetrics (for the /metrics controller and the services). */
export const APP_METRICS = Symbol('APP_METRICS');

/** A provider fallback taken: REST TTS instead of the socket, the spoken apology instead of an answer. */
export type FallbackKind = 'tts-rest' | 'llm-apology';
/** A connection re-dialled after it dropped. */
export type ReconnectTarget = 'elevenlabs' | 'redis' | 'telnyx-media';

export interface AppMetricsOptions {
  /** The app's name, a label on every series (several apps may share one scrape config). */
  app: string;
  /** Node process metrics (CPU, memory, event-loop lag, GC); on unless a test turns them off. */
  defaultMetrics?: boolean;
  /** Where `redis_stream_group_lag` / `redis_stream_pending` come from; without it they stay empty. */
  streamLag?: StreamLagSource;
}

/**
 * The process's metrics, in its own registry (never prom-client's global one, so tests and several
 * instances in one process do not collide). Typed methods, so no caller spells a metric name.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly firstAudio: Histogram;
  private readonly overhead: Histogram;
  private readonly ttsTtfb: Histogram;
  private readonly llmFirstToken: Histogram;
  private readonly gap: Histogram;
  private readonly liveCalls: Gauge;
  private readonly ttsOpenSockets: Gauge;
  private readonly ttsHeldShards: Gauge;
  private readonly fallbacks: Counter<'kind'>;
  private readonly reconnects: Counter<'target'>;
  private readonly bargeIns: Counter;
  private readonly deadLetters: Counter<'stream'>;

  constructor(options: AppMetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ app: options.app });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const histogram = (name: string, help: string, buckets: number[]) => new Histogram({ name, help, buckets, registers });
    this.firstAudio = histogram('voice_first_audio_ms', "Caller's final transcript to first audio heard, per turn.", LATENCY_BUCKETS_MS);
    this.overhead = histogram('voice_overhead_ms', 'First audio minus the time spent in providers (LLM, TTS), per turn.', OVERHEAD_BUCKETS_MS);
    this.ttsTtfb = histogram('voice_tts_ttfb_ms', 'Sentence text sent to TTS to its first audio byte.', LATENCY_BUCKETS_MS);
    this.llmFirstToken = histogram('voice_llm_first_token_ms', 'LLM request sent to its first streamed token.', LATENCY_BUCKETS_MS);
    this.gap = histogram('voice_gap_ms', 'Silence the caller hears between two sentences of one turn.', GAP_BUCKETS_MS);
    this.liveCalls = new Gauge({ name: 'voice_live_calls', help: 'Calls this process is serving now.', registers });
    this.ttsOpenSockets = new Gauge({ name: 'voice_tts_open_sockets', help: 'Open TTS provider sockets.', registers });
    this.ttsHeldShards = new Gauge({ name: 'voice_tts_held_shards', help: 'TTS shards whose lease this process holds.', registers });
    this.fallbacks = new Counter({ name: 'voice_fallbacks_total', help: 'Provider fallbacks taken.', labelNames: ['kind'], registers });
    this.reconnects = new Counter({ name: 'voice_reconnects_total', help: 'Connections re-dialled after a drop.', labelNames: ['target'], registers });
    this.bargeIns = new Counter({ name: 'voice_barge_ins_total', help: 'Turns cancelled because the caller spoke over them.', registers });
    this.deadLetters = new Counter({ name: 'voice_dead_letters_total', help: 'Entries moved to a dead-letter stream.', labelNames: ['stream'], registers });
    if (options.streamLag) registerStreamGroupGauges(this.registry, options.streamLag);
  }

  observeFirstAudio(ms: number): void {
    this.firstAudio.observe(ms);
  }
  observeOverhead(ms: number): void {
    this.overhead.observe(ms);
  }
  observeTtsTtfb(ms: number): void {
    this.ttsTtfb.observe(ms);
  }
  observeLlmFirstToken(ms: number): void {
    this.llmFirstToken.observe(ms);
  }
  observeGap(ms: number): void {
    this.gap.observe(ms);
  }

  setLiveCalls(count: number): void {
    this.liveCalls.set(count);
  }
  callStarted(): void {
    this.liveCalls.inc();
  }
  callEnded(): void {
    this.liveCalls.dec();
  }
  setTtsOpenSockets(count: number): void {
    this.ttsOpenSockets.set(count);
  }
  setTtsHeldShards(count: number): void {
    this.ttsHeldShards.set(count);
  }

  fallback(kind: FallbackKind): void {
    this.fallbacks.inc({ kind });
  }
  reconnect(target: ReconnectTarget): void {
    this.reconnects.inc({ target });
  }
  bargeIn(): void {
    this.bargeIns.inc();
  }
  deadLetter(stream: string): void {
    this.deadLetters.inc({ stream });
  }

  /** Every metric in the Prometheus text format (runs the scrape-time collectors). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
