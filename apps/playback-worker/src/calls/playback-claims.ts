import { Inject, Injectable } from '@nestjs/common';
import { audioStream, callKey, playbackClaimKey } from '@app/contracts';
import { RedisClient } from '@app/bus';
import { AppLogger } from '@app/telemetry';
import { APP_RUNTIME, AppRuntime, LOGGER, REDIS } from '@app/core';
import { PlaybackMode, SentenceRef } from './playback-session';

/** A playback claim outlives any call; it is deleted when the call ends. */
export const PLAYBACK_CLAIM_TTL_S = 6 * 3600;

/** The fields of the claim hash `playback:claim:{callId}` (only playback-workers read it). */
const OWNER_FIELD = 'owner';
const MODE_FIELD = 'mode';
/** `<turnId>:<seq>` of the last sentence heard whole: where REST playback resumes after streaming. */
const HEARD_FIELD = 'heard';

/** What the playback-worker needs of the call's hash (written by the gateway). */
export interface CallFacts {
  /** The hash exists (the gateway knows the call). */
  readonly known: boolean;
  readonly state?: string;
  readonly turnId: string;
  readonly agentId?: string;
  /** The turn a barge-in cancelled, if the current one was. */
  readonly bargedTurn?: string;
}

/**
 * The call's playback claim in Redis: which instance plays it and how, and how far the caller has
 * heard (so a switch to REST playback, here or on another instance, neither loses nor repeats a
 * sentence). One hash per call, in the call's hash slot.
 */
@Injectable()
export class PlaybackClaims {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_RUNTIME) private readonly runtime: AppRuntime,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async callFacts(callId: string): Promise<CallFacts> {
    const [state, turnId, agentId, bargedTurn] = await this.redis.hmget(callKey(callId), 'state', 'turnId', 'agentId', 'bargedTurn');
    return {
      known: state !== null || turnId !== null,
      state: state ?? undefined,
      turnId: turnId ?? '0',
      agentId: agentId ?? undefined,
      bargedTurn: bargedTurn || undefined,
    };
  }

  async claim(callId: string, mode: PlaybackMode): Promise<void> {
    const key = playbackClaimKey(callId);
    await this.redis.multi().hset(key, OWNER_FIELD, this.runtime.instanceId, MODE_FIELD, mode).expire(key, PLAYBACK_CLAIM_TTL_S).exec();
  }

  /** Hot path (once per sentence): not awaited; a failure only costs a possible repeat after a switch. */
  recordHeard(callId: string, sentence: SentenceRef): void {
    this.redis.hset(playbackClaimKey(callId), HEARD_FIELD, `${sentence.turnId}:${sentence.seq}`).catch((error: unknown) => {
      this.logger.warn({ callId, turnId: sentence.turnId, err: error }, 'could not record the heard position');
    });
  }

  async heardThrough(callId: string): Promise<SentenceRef | undefined> {
    const value = await this.redis.hget(playbackClaimKey(callId), HEARD_FIELD);
    const match = value ? /^(\d+):(\d+)$/.exec(value) : null;
    return match ? { turnId: match[1], seq: Number(match[2]) } : undefined;
  }

  /** The call ended: its audio stream and claim go (every instance may do it: DEL is idempotent). */
  async forget(callId: string): Promise<void> {
    await this.redis.del(audioStream(callId), playbackClaimKey(callId));
  }
}
