import { Inject, Injectable } from '@nestjs/common';
import { AudioFormat, callKey, shardOf } from '@app/contracts';
import { Clock } from '@app/clock';
import { AgentDirectory, AppConfig } from '@app/config';
import { APP_METRICS, AppLogger, AppMetrics, TurnMarks } from '@app/telemetry';
import { Publisher, RedisClient } from '@app/bus';
import { AGENTS, CLOCK, CONFIG, LOGGER, PUBLISHER, REDIS } from '@app/core';
import { TurnStateStore } from '../state/turn-state.store';
import { CallAudioPublisher } from './audio.publisher';
import { CallSpeechSession } from './call-speech.session';
import { SpeechMetricsHooks } from './speech-metrics.hooks';

interface Entry {
  session: CallSpeechSession;
  shard: number;
}

/**
 * The speech sessions of the calls in the shards this worker holds. Only this process keeps them in
 * memory; what a new holder needs to rebuild one is in Redis (the call's hash, its TTS turn record).
 * A call that ended is forgotten there too; a shard handed over keeps its records for the next holder.
 */
@Injectable()
export class SpeechSessionRegistry {
  readonly store: TurnStateStore;
  private readonly sessions = new Map<string, Entry>();
  private readonly hooks: SpeechMetricsHooks;
  private fenceOf: (shard: number) => number | undefined = () => undefined;

  constructor(
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
    @Inject(APP_METRICS) metrics: AppMetrics,
    private readonly marks: TurnMarks,
  ) {
    this.store = new TurnStateStore(redis);
    this.hooks = new SpeechMetricsHooks(metrics, logger);
  }

  /** The shard manager tells the registry each shard's current fencing token. */
  useFences(fenceOf: (shard: number) => number | undefined): void {
    this.fenceOf = fenceOf;
  }

  shardOf(callId: string): number {
    return shardOf(callId, this.config.TTS_SHARDS);
  }

  get size(): number {
    return this.sessions.size;
  }

  get(callId: string): CallSpeechSession | undefined {
    return this.sessions.get(callId)?.session;
  }

  /** Opens the call's session (tts.open, or a rebuild), or returns the existing one. */
  open(callId: string, agentId: string): CallSpeechSession | undefined {
    const existing = this.sessions.get(callId);
    if (existing) return existing.session;
    const agent = this.agents.get(agentId);
    if (!agent) {
      this.logger.error({ callId, agentId }, 'agent of the call is not configured: no TTS session');
      return undefined;
    }
    const shard = this.shardOf(callId);
    const audio = new CallAudioPublisher(callId, agent.tts.outputFormat as AudioFormat, () => this.fenceOf(shard) ?? 0, this.publisher, this.clock);
    const session = new CallSpeechSession({
      callId,
      agent,
      baseUrl: agent.tts.baseUrl ?? this.config.ELEVENLABS_BASE_URL,
      apiKey: this.config.secrets[agent.tts.apiKeyEnv] ?? '',
      audio,
      clock: this.clock,
      logger: this.logger,
      marks: this.marks,
      hooks: this.hooks,
    });
    this.sessions.set(callId, { session, shard });
    session.open();
    return session;
  }

  /** The session for a sentence; one whose tts.open we never saw is opened from the call's hash. */
  async forSentence(callId: string): Promise<CallSpeechSession | undefined> {
    const existing = this.sessions.get(callId);
    if (existing) return existing.session;
    const [agentId, state] = await this.redis.hmget(callKey(callId), 'agentId', 'state');
    if (!agentId || state === 'ended') return undefined;
    this.logger.info({ callId }, 'opening the TTS session of a call from its hash');
    const session = this.open(callId, agentId);
    if (session) await this.store.addCall(this.shardOf(callId), callId);
    return session;
  }

  /** The call is over (tts.close, call.ended): close its socket and forget its TTS state in Redis. */
  async end(callId: string): Promise<void> {
    const entry = this.sessions.get(callId);
    this.sessions.delete(callId);
    await this.store.forget(this.shardOf(callId), callId);
    await entry?.session.close();
  }

  /** The shard goes to another worker: close its sessions (not awaited), keep their state for the next holder. */
  handOverShard(shard: number): number {
    let closed = 0;
    for (const [callId, entry] of [...this.sessions]) {
      if (entry.shard !== shard) continue;
      this.sessions.delete(callId);
      void entry.session.close();
      closed++;
    }
    return closed;
  }

  shardBusy(shard: number): boolean {
    for (const entry of this.sessions.values()) if (entry.shard === shard && entry.session.busy()) return true;
    return false;
  }

  anyBusy(): boolean {
    for (const entry of this.sessions.values()) if (entry.session.busy()) return true;
    return false;
  }

  /** Shutdown: every session closed, its state kept (the next holder of its shard resumes it). */
  async closeAll(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(entries.map((e) => e.session.close()));
  }
}
