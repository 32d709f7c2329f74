import { Inject, Injectable } from '@nestjs/common';
import { callKey } from '@app/contracts';
import { RedisClient } from '@app/bus';
import { LOGGER, REDIS } from '@app/core';
import { AppLogger } from '@app/telemetry';
import { readPublishedAudio } from '../state/published-audio.reader';
import { SpeechSessionRegistry } from './speech-session.registry';

const NOTHING_PUBLISHED = { chunks: 0, bytes: 0, done: false };

/**
 * Takeover: a shard just acquired gets its live calls' sessions back before any of its entries is
 * handled. Each call's session is opened from its hash (the socket warm again); if the call's current
 * turn is the one recorded and was neither cancelled nor barged in on, its sentences are resumed from
 * what the call's audio stream shows was published: ended sentences are not said again, a half-spoken
 * one continues after its published bytes, the rest are spoken.
 */
@Injectable()
export class SessionRebuilder {
  constructor(
    private readonly sessions: SpeechSessionRegistry,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Rebuilds every call of the shard; returns how many sessions were opened. */
  async rebuildShard(shard: number): Promise<number> {
    let opened = 0;
    for (const callId of await this.sessions.store.calls(shard)) {
      try {
        if (await this.rebuildCall(shard, callId)) opened++;
      } catch (error) {
        this.logger.error({ callId, shard, err: String(error) }, 'rebuilding a TTS session failed');
      }
    }
    return opened;
  }

  private async rebuildCall(shard: number, callId: string): Promise<boolean> {
    const [agentId, state, currentTurn, bargedTurn] = await this.redis.hmget(callKey(callId), 'agentId', 'state', 'turnId', 'bargedTurn');
    if (!agentId || state === 'ended') {
      await this.sessions.store.forget(shard, callId); // ended while nobody held the shard
      return false;
    }
    const session = this.sessions.open(callId, agentId);
    if (!session) return false;
    const turn = await this.sessions.store.load(callId);
    if (!turn || turn.cancelled || turn.turnId !== currentTurn || turn.turnId === bargedTurn) {
      this.logger.info({ callId, shard, turnId: turn?.turnId ?? null }, 'TTS session rebuilt after takeover');
      return true;
    }
    const published = await readPublishedAudio(this.redis, callId, turn.turnId);
    const sentences = turn.sentences.map((s) => ({ turnId: turn.turnId, ...s, published: published.get(s.seq) ?? NOTHING_PUBLISHED }));
    this.logger.info(
      { callId, shard, turnId: turn.turnId, resumed: sentences.filter((s) => !s.published.done).map((s) => s.seq) },
      'TTS session rebuilt after takeover',
    );
    session.resume(sentences);
    return true;
  }
}
