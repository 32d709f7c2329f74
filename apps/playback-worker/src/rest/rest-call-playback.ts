import { AudioChunkMessage, AudioEndMessage, compareTurnIds } from '@app/contracts';
import { Clock } from '@app/clock';
import { AppLogger } from '@app/telemetry';
import { playCommandId, raceStopCommandId, stopCommandId } from './playback-command-ids';
import { PLAYBACK_COMPLETED, PlaybackGap, PlaybackLedger } from './playback-ledger';
import { Mp3Encoding, PlaybackCommands, PlaybackReports, RestCallPlaybackOptions } from './rest-playback.ports';
import { CompletedSentence, SENTENCE_BYTES_PER_MS, SENTENCE_FORMAT, SentenceCollector } from './sentence-collector';
import { TurnBook } from './turn-book';
import { PlayingSentence } from './turn-progress';

export interface RestCallPlaybackDeps {
  readonly commands: PlaybackCommands;
  readonly encoder: Mp3Encoding;
  readonly reports: PlaybackReports;
  readonly clock: Clock;
  readonly logger: AppLogger;
  /** Each silence measured between two sentences of a turn (for the gap histogram). */
  readonly onGap?: (gap: PlaybackGap) => void;
}

/**
 * One call's playback through Telnyx `playback_start` (agent setting `playback.mode: rest`, and the
 * fallback after `streaming.failed`). Each sentence is encoded to MP3 as soon as its audio is complete
 * (encodes run in parallel) and sent with `playback_content` strictly in sentence order: Telnyx queues
 * playbacks, so sentence n+1 is queued while n plays. A barge-in sends `stop: all` at once (control does
 * not wait behind data) and nothing of the turn is sent after it. Reports mirror the streaming path.
 */
export class RestCallPlayback {
  private readonly collector = new SentenceCollector();
  private readonly ledger: PlaybackLedger;
  private readonly turns: TurnBook;
  private readonly cancelled = new Set<string>();
  /** Every turn up to this one was cut by a `stop: all`. */
  private stoppedThrough: string | undefined;
  private newestTurn: string;
  /** Sends, one after the other in sentence order. */
  private sendChain: Promise<void> = Promise.resolve();
  /** Stops in flight: a play sent before a stop's answer could be queued behind it and survive. */
  private stops: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly callId: string,
    private readonly deps: RestCallPlaybackDeps,
    currentTurnId = '0',
    private readonly options: RestCallPlaybackOptions = {},
  ) {
    this.ledger = new PlaybackLedger(deps.clock, deps.onGap);
    this.turns = new TurnBook(callId, deps.reports, deps.logger);
    this.newestTurn = currentTurnId || '0';
  }

  /** Silences between sentences of a turn, as seen from Telnyx's playback events (at most GAPS_KEPT). */
  gaps(): readonly PlaybackGap[] {
    return this.ledger.gaps();
  }

  onAudio(entry: AudioChunkMessage | AudioEndMessage): void {
    if (!this.isLive(entry.turnId) || compareTurnIds(entry.turnId, this.newestTurn) < 0) return;
    this.newestTurn = entry.turnId;
    for (const sentence of this.collector.push(entry)) this.schedule(sentence);
  }

  /** Barge-in: stop everything Telnyx has queued, and report what the caller heard of the turn. */
  cancel(turnId: string): void {
    if (this.closed || this.cancelled.has(turnId)) return;
    this.cancelled.add(turnId);
    this.collector.cancelTurn(turnId);
    const turn = this.turns.get(turnId);
    turn?.encodes.abort();
    this.turns.delete(turnId);
    // A newer turn already owns Telnyx's queue: `stop: all` would cut it, so this one is only dropped.
    if (compareTurnIds(turnId, this.newestTurn) < 0) return;
    this.newestTurn = turnId;
    const heard = turn?.started ? turn.heardUntil(this.playingOf(turnId)) : undefined;
    if (this.ledger.size > 0) {
      this.stoppedThrough = turnId;
      for (const dropped of this.ledger.dropAll()) if (dropped.turnId !== turnId) this.turns.delete(dropped.turnId);
      this.stops = Promise.all([this.stops, this.stop(turnId, stopCommandId(this.callId, turnId))]).then(() => undefined);
    }
    if (heard) this.turns.report(turnId, (reports) => reports.heard(this.callId, turnId, heard.text, false));
  }

  /** Telnyx `call.playback.started` for this call, forwarded by the lead. */
  onPlaybackStarted(): void {
    if (this.closed) return;
    const playback = this.ledger.started();
    const turn = playback && this.turns.get(playback.turnId);
    if (turn) this.turns.markStarted(turn);
  }

  /** Telnyx `call.playback.ended` for this call, with its `status` (completed, cancelled, failed, ...). */
  onPlaybackEnded(status: string): void {
    if (this.closed) return;
    const playback = this.ledger.ended(status);
    const turn = playback && this.turns.get(playback.turnId);
    if (!playback || !turn) return;
    const played = status === PLAYBACK_COMPLETED;
    if (played) this.turns.markStarted(turn); // its start event was lost or is late
    turn.settle(playback.seq, played);
    this.turns.finishIfComplete(turn);
  }

  /** The call ended: encodes are aborted, nothing more is sent or reported. */
  close(): void {
    this.closed = true;
    this.turns.abortAll();
  }

  private schedule(sentence: CompletedSentence): void {
    const turn = this.turns.turnOf(sentence.turnId);
    turn.add({ ...sentence, durationMs: sentence.audio.length / SENTENCE_BYTES_PER_MS });
    if (this.heardBefore(sentence)) {
      // Heard over the media stream before it failed: counted as heard (and reported as such at the
      // turn's end), never played twice; the turn's start was reported by the streaming side.
      turn.settle(sentence.seq, true);
      turn.started = true;
      if (sentence.last) this.turns.finishSilently(turn);
      return;
    }
    if (sentence.audio.length === 0) return this.lose(sentence.turnId, sentence.seq, 'sentence has no playable audio');
    const mp3 = this.deps.encoder.encode(sentence.audio, SENTENCE_FORMAT, turn.encodes.signal);
    mp3.catch(() => undefined); // observed by send(), possibly later: not an unhandled rejection
    this.sendChain = this.sendChain.then(() => this.send(sentence, mp3));
  }

  private heardBefore(sentence: CompletedSentence): boolean {
    const resume = this.options.resumeAfter;
    return resume !== undefined && resume.turnId === sentence.turnId && sentence.seq <= resume.seq;
  }

  private async send(sentence: CompletedSentence, mp3: Promise<Buffer>): Promise<void> {
    const { turnId, seq } = sentence;
    let content: Buffer;
    try {
      content = await mp3;
    } catch (error) {
      if (this.isLive(turnId)) this.lose(turnId, seq, 'mp3 encode failed', error);
      return;
    }
    await this.stops;
    if (!this.isLive(turnId)) return;
    const playback = this.ledger.add({ turnId, seq, durationMs: sentence.audio.length / SENTENCE_BYTES_PER_MS });
    try {
      const outcome = await this.deps.commands.startPlayback(this.callId, playCommandId(this.callId, turnId, seq), {
        playback_content: content.toString('base64'),
        audio_type: 'mp3',
      });
      if (outcome === 'call-ended') return this.close();
    } catch (error) {
      this.ledger.remove(playback);
      if (this.isLive(turnId)) this.lose(turnId, seq, 'startPlayback failed', error);
      return;
    }
    // Cancelled while the play was in flight: Telnyx may have queued it after the barge-in's stop.
    if (!this.isLive(turnId) && !this.closed) await this.stop(turnId, raceStopCommandId(this.callId, turnId, seq));
  }

  private async stop(turnId: string, commandId: string): Promise<void> {
    try {
      await this.deps.commands.stopPlayback(this.callId, commandId, { stop: 'all' });
    } catch (error) {
      this.deps.logger.error({ callId: this.callId, turnId, err: error }, 'rest playback: stopPlayback failed');
    }
  }

  private lose(turnId: string, seq: number, reason: string, error?: unknown): void {
    this.deps.logger.warn({ callId: this.callId, turnId, seq, reason, err: error }, 'rest playback: sentence lost');
    const turn = this.turns.get(turnId);
    if (!turn) return;
    turn.settle(seq, false);
    this.turns.finishIfComplete(turn);
  }

  private playingOf(turnId: string): PlayingSentence | undefined {
    const playing = this.ledger.playing();
    if (playing?.turnId !== turnId || playing.startedAt === undefined) return undefined;
    return { seq: playing.seq, elapsedMs: this.deps.clock.now() - playing.startedAt };
  }

  private isLive(turnId: string): boolean {
    if (this.closed || this.cancelled.has(turnId)) return false;
    return this.stoppedThrough === undefined || compareTurnIds(turnId, this.stoppedThrough) > 0;
  }
}
