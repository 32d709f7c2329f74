import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AudioChunkMessage, AudioEndMessage, audioStream, callKey, playbackClaimKey } from '@app/contracts';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { AppLogger, TurnMarks } from '@app/telemetry';
import { RedisClient } from '@app/bus';
import { CLOCK, CONFIG, LOGGER, REDIS, STREAMS_CONTROL, StreamsControl, APP_RUNTIME, AppRuntime } from '@app/core';
import { FramePacer } from '../pacing';
import { CallCodec, MediaConnection, MediaSink } from '../media/media-connection';
import { CallPlayback } from './call-playback';
import { PlaybackReporter } from './playback-reporter';

/** A playback claim outlives any call; it is deleted when the call ends. */
export const PLAYBACK_CLAIM_TTL_S = 6 * 3600;

/**
 * The calls whose media streams reached this instance. Whichever instance Telnyx connects to owns the
 * call's playback: it claims the call in Redis and reads the call's audio stream (all calls of the
 * process share the bus's few connections, and one pacer).
 */
@Injectable()
export class CallPlaybackRegistry implements MediaSink, OnModuleDestroy {
  private readonly calls = new Map<string, CallPlayback>();
  readonly pacer: FramePacer;

  constructor(
    private readonly reporter: PlaybackReporter,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(STREAMS_CONTROL) private readonly streams: StreamsControl,
    @Inject(APP_RUNTIME) private readonly runtime: AppRuntime,
    @Inject(CONFIG) config: AppConfig,
    @Inject(CLOCK) clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly marks: TurnMarks,
  ) {
    this.pacer = new FramePacer(
      clock,
      {
        send: (callId, frame) => this.calls.get(callId)?.connection.sendAudio(frame),
        mark: (callId, name) => this.calls.get(callId)?.connection.sendMark(name),
        error: (callId, error) => this.logger.error({ callId, err: String(error) }, 'pacer output failed'),
      },
      { leadMs: config.PLAYBACK_LEAD_MS },
    );
  }

  get size(): number {
    return this.calls.size;
  }

  get(callId: string): CallPlayback | undefined {
    return this.calls.get(callId);
  }

  attach(callId: string, codec: CallCodec, connection: MediaConnection): void {
    const existing = this.calls.get(callId);
    if (existing) {
      // Telnyx reconnected the stream: keep the queue and the pacing, send through the new socket.
      existing.connection = connection;
      return;
    }
    void this.start(callId, codec, connection).catch((error) =>
      this.logger.error({ callId, err: String(error) }, 'could not start playback for the call'),
    );
  }

  private async start(callId: string, codec: CallCodec, connection: MediaConnection): Promise<void> {
    const [turnId, state] = await this.redis.hmget(callKey(callId), 'turnId', 'state');
    if (state === 'ended') {
      connection.close(1000, 'call ended');
      return;
    }
    await this.redis.set(playbackClaimKey(callId), this.runtime.instanceId, 'EX', PLAYBACK_CLAIM_TTL_S);
    const playback = new CallPlayback(callId, codec, connection, this.pacer, this.reporter, this.logger, this.marks, turnId ?? '0');
    this.calls.set(callId, playback);
    // From the start of the stream: audio (the greeting) may have been published before Telnyx connected.
    await this.streams.addStream({ stream: audioStream(callId), startId: '0' });
    this.logger.info({ callId, codec }, 'media stream attached, playing the call');
  }

  detach(callId: string, connection: MediaConnection): void {
    const playback = this.calls.get(callId);
    if (playback?.connection === connection) void this.release(callId, false);
  }

  markPlayed(callId: string, name: string): void {
    this.calls.get(callId)?.markPlayed(name);
  }

  onAudio(entry: AudioChunkMessage | AudioEndMessage): void {
    this.calls.get(entry.callId)?.onAudio(entry);
  }

  cancel(callId: string, turnId: string): void {
    this.calls.get(callId)?.cancel(turnId);
  }

  /** Frees everything of the call here; at call end also its audio stream and claim in Redis. */
  async release(callId: string, callEnded: boolean): Promise<void> {
    const playback = this.calls.get(callId);
    if (playback) {
      this.calls.delete(callId);
      playback.dispose();
      await this.streams.removeStream(audioStream(callId));
    }
    if (callEnded) await this.redis.del(audioStream(callId), playbackClaimKey(callId));
  }

  onModuleDestroy(): void {
    this.pacer.close();
  }
}
