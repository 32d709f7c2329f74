import { Inject, Injectable } from '@nestjs/common';
import { AudioChunkMessage, AudioEndMessage, PlaybackAssignMessage, TelnyxPlaybackMessage, audioStream } from '@app/contracts';
import { APP_METRICS, AppLogger, AppMetrics } from '@app/telemetry';
import { LOGGER, STREAMS_CONTROL, StreamsControl } from '@app/core';
import { CallCodec, MediaConnection, MediaSink } from '../media/media-connection';
import { CallPlayback } from './call-playback';
import { DrainState } from './drain-state';
import { EndedCalls } from './ended-calls';
import { PlaybackClaims } from './playback-claims';
import { PlaybackSession, laterSentence } from './playback-session';
import { RestPlaybackFactory } from './rest-playback.factory';
import { StreamingPlaybackFactory } from './streaming-playback.factory';

/** WebSocket close code 1013 "Try Again Later": this instance is draining; another one can take the stream. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** WebSocket close code 1000: the stream is no longer needed (call ended, or moved to REST). */
const CLOSE_NORMAL = 1000;

/**
 * The calls this instance plays, in either mode. Whichever instance Telnyx's media stream reaches owns
 * that call's streaming; one instance of the group takes each REST assignment. The owner claims the
 * call in Redis and reads the call's audio stream from its start (the bus multiplexes every call on a
 * few connections). Bus entries of a call are routed here to its session.
 */
@Injectable()
export class CallPlaybackRegistry implements MediaSink {
  private readonly sessions = new Map<string, PlaybackSession>();
  private readonly emptyWaiters = new Set<() => void>();
  private readonly ended = new EndedCalls();

  constructor(
    private readonly streaming: StreamingPlaybackFactory,
    private readonly rest: RestPlaybackFactory,
    private readonly claims: PlaybackClaims,
    private readonly drain: DrainState,
    @Inject(STREAMS_CONTROL) private readonly streams: StreamsControl,
    @Inject(APP_METRICS) private readonly metrics: AppMetrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(callId: string): PlaybackSession | undefined {
    return this.sessions.get(callId);
  }

  /** Resolves when this instance plays no call any more (at once if it plays none). */
  whenEmpty(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.add(resolve));
  }

  attach(callId: string, inboundCodec: CallCodec, connection: MediaConnection): void {
    if (this.rebind(callId, connection)) return;
    if (this.drain.draining) {
      this.logger.warn({ callId }, 'media stream refused: this instance is draining');
      connection.close(CLOSE_TRY_AGAIN_LATER, 'playback-worker draining');
      return;
    }
    void this.startStreaming(callId, connection).catch((error) =>
      this.logger.error({ callId, inboundCodec, err: String(error) }, 'could not start playback for the call'),
    );
  }

  detach(callId: string, connection: MediaConnection): void {
    const session = this.sessions.get(callId);
    if (session instanceof CallPlayback && session.connection === connection) void this.release(callId, false);
  }

  markPlayed(callId: string, name: string): void {
    const session = this.sessions.get(callId);
    if (session instanceof CallPlayback) session.markPlayed(name);
  }

  /** `playback.assign`: play the call with REST playback_start from now on, resuming after what was heard. */
  async assignRest(assign: PlaybackAssignMessage): Promise<void> {
    const { callId, reason } = assign;
    if (this.sessions.get(callId)?.mode === 'rest') return; // a re-delivered assignment
    const facts = await this.claims.callFacts(callId);
    if (!facts.known || facts.state === 'ended') {
      this.logger.info({ callId, reason, state: facts.state }, 'rest playback assignment for an unknown or ended call, ignored');
      return;
    }
    const stored = await this.claims.heardThrough(callId);
    // Looked at again after reading Redis: the call may have ended, or its stream closed, meanwhile.
    const current = this.sessions.get(callId);
    if (this.ended.has(callId) || current?.mode === 'rest') return;
    const session = this.rest.create(callId, facts, laterSentence(current?.heardThrough(), stored));
    if (current instanceof CallPlayback) {
      current.close();
      current.connection.close(CLOSE_NORMAL, 'playback moved to REST');
    }
    this.add(session);
    await this.claims.claim(callId, 'rest');
    // From the start again: sentences the stream did not finish are played, the ones heard are skipped.
    await this.streams.removeStream(audioStream(callId));
    await this.streams.addStream({ stream: audioStream(callId), startId: '0' });
    this.logger.info({ callId, reason, resumeAfter: session.resumeAfter }, 'rest playback assigned, playing the call');
  }

  onAudio(entry: AudioChunkMessage | AudioEndMessage): void {
    this.sessions.get(entry.callId)?.onAudio(entry);
  }

  onTelnyxPlayback(event: TelnyxPlaybackMessage): void {
    this.sessions.get(event.callId)?.onTelnyxPlayback(event);
  }

  cancel(callId: string, turnId: string): void {
    this.sessions.get(callId)?.cancel(turnId);
  }

  /** Frees everything of the call here; at call end also its audio stream and claim in Redis. */
  async release(callId: string, callEnded: boolean): Promise<void> {
    if (callEnded) this.ended.add(callId);
    const session = this.sessions.get(callId);
    if (session) {
      this.remove(callId);
      session.close();
      await this.streams.removeStream(audioStream(callId));
    }
    if (callEnded) await this.claims.forget(callId);
  }

  /** Shutdown: every session closed, nothing sent afterwards. */
  closeAll(): void {
    for (const [callId, session] of [...this.sessions]) {
      this.remove(callId);
      session.close();
    }
  }

  private async startStreaming(callId: string, connection: MediaConnection): Promise<void> {
    const facts = await this.claims.callFacts(callId);
    if (facts.state === 'ended') {
      connection.close(CLOSE_NORMAL, 'call ended');
      return;
    }
    if (this.ended.has(callId)) {
      connection.close(CLOSE_NORMAL, 'call ended');
      return;
    }
    if (!connection.open || this.rebind(callId, connection)) return; // closed, or attached meanwhile
    const playback = this.streaming.create(callId, facts, connection);
    this.add(playback);
    await this.claims.claim(callId, 'stream');
    await this.streams.addStream({ stream: audioStream(callId), startId: '0' });
    this.logger.info({ callId, codec: playback.codec }, 'media stream attached, playing the call');
  }

  /** Telnyx reconnected the stream of a call played here: same queue and pacing, the new socket. */
  private rebind(callId: string, connection: MediaConnection): boolean {
    const session = this.sessions.get(callId);
    if (!session) return false;
    if (session instanceof CallPlayback) session.connection = connection;
    else connection.close(CLOSE_NORMAL, 'call plays over REST'); // streaming failed once: REST keeps the call
    return true;
  }

  private add(session: PlaybackSession): void {
    this.sessions.set(session.callId, session);
    this.metrics.setLiveCalls(this.sessions.size);
  }

  private remove(callId: string): void {
    this.sessions.delete(callId);
    this.metrics.setLiveCalls(this.sessions.size);
    if (this.sessions.size > 0) return;
    for (const resolve of this.emptyWaiters) resolve();
    this.emptyWaiters.clear();
  }
}
