import { Inject, Injectable } from '@nestjs/common';
import { AudioFormat, callKey, shardOf } from '@app/contracts';
import { Clock } from '@app/clock';
import { AgentDirectory, AppConfig } from '@app/config';
import { AppLogger, TurnMarks } from '@app/telemetry';
import { Publisher, RedisClient } from '@app/bus';
import { AGENTS, CLOCK, CONFIG, LOGGER, PUBLISHER, REDIS } from '@app/core';
import { CallAudioPublisher } from './audio.publisher';
import { CallSpeechSession } from './call-speech.session';

/**
 * The speech sessions of the calls in the shards this worker holds. Only this process keeps them in
 * memory; everything needed to rebuild one (the call's agent, its current turn) is in the call's hash.
 */
@Injectable()
export class SpeechSessionRegistry {
  private readonly sessions = new Map<string, { session: CallSpeechSession; shard: number }>();
  private fenceOf: (shard: number) => number | undefined = () => undefined;

  constructor(
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly marks: TurnMarks,
  ) {}

  /** The shard manager tells the registry each shard's current fencing token. */
  useFences(fenceOf: (shard: number) => number | undefined): void {
    this.fenceOf = fenceOf;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(callId: string): CallSpeechSession | undefined {
    return this.sessions.get(callId)?.session;
  }

  /** Opens the call's session (tts.open), or returns the existing one. */
  open(callId: string, agentId: string): CallSpeechSession | undefined {
    const existing = this.sessions.get(callId);
    if (existing) return existing.session;
    const agent = this.agents.get(agentId);
    if (!agent) {
      this.logger.error({ callId, agentId }, 'agent of the call is not configured: no TTS session');
      return undefined;
    }
    const shard = shardOf(callId, this.config.TTS_SHARDS);
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
    });
    this.sessions.set(callId, { session, shard });
    session.open();
    return session;
  }

  /**
   * The session for a sentence: after a takeover the call's session is rebuilt from its hash (the
   * previous owner died), unless the call has ended.
   */
  async forSentence(callId: string): Promise<CallSpeechSession | undefined> {
    const existing = this.sessions.get(callId);
    if (existing) return existing.session;
    const [agentId, state] = await this.redis.hmget(callKey(callId), 'agentId', 'state');
    if (!agentId || state === 'ended') return undefined;
    this.logger.info({ callId }, 'rebuilding the TTS session of a call taken over');
    return this.open(callId, agentId);
  }

  async close(callId: string): Promise<void> {
    const entry = this.sessions.get(callId);
    if (!entry) return;
    this.sessions.delete(callId);
    await entry.session.close();
  }

  /** Closes the sessions of a shard this worker no longer holds. */
  async closeShard(shard: number): Promise<void> {
    for (const [callId, entry] of [...this.sessions]) if (entry.shard === shard) await this.close(callId);
  }

  shardBusy(shard: number): boolean {
    for (const entry of this.sessions.values()) if (entry.shard === shard && entry.session.busy()) return true;
    return false;
  }

  anyBusy(): boolean {
    for (const entry of this.sessions.values()) if (entry.session.busy()) return true;
    return false;
  }

  async closeAll(): Promise<void> {
    for (const callId of [...this.sessions.keys()]) await this.close(callId);
  }
}
