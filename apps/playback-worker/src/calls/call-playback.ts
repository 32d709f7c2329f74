import {
  AudioChunkMessage,
  AudioEndMessage,
  compareTurnIds,
  parseSentenceMarkName,
  parseTurnStartMarkName,
  turnStartMarkName,
} from '@app/contracts';
import { AppLogger, TurnMarks } from '@app/telemetry';
import { CallCodec } from '../audio/g711.codec';
import { FramePacer, PlayoutQueue, framesPlayedOfTurn, heardText, isPlayoutMark } from '../pacing';
import { MediaConnection } from '../media/media-connection';
import { PlaybackReports } from '../rest/rest-playback.ports';
import { PlaybackSession, SentenceRef, laterSentence } from './playback-session';

export interface StreamingPlaybackDeps {
  readonly pacer: FramePacer;
  readonly reports: PlaybackReports;
  readonly marks: Pick<TurnMarks, 'stamp' | 'publish'>;
  readonly logger: AppLogger;
  /** A sentence was heard to its end (Telnyx echoed its mark): where a switch to REST would resume. */
  readonly sentenceHeard?: (callId: string, sentence: SentenceRef) => void;
  /** The session closed: whatever routes the pacer's output to its socket can forget the call. */
  readonly closed?: (callId: string) => void;
}

/**
 * One call's media-streaming playback on this instance: the ordered, deduplicated, fenced queue of its
 * audio (in the call's outbound codec) feeding the process-wide pacer, and the reports (started,
 * finished, heard) that turn-taking depends on.
 */
export class CallPlayback implements PlaybackSession {
  readonly mode = 'stream';
  private readonly queue: PlayoutQueue;
  private readonly startedTurns = new Set<string>();
  private readonly cancelled = new Set<string>();
  private newestTurn: string;
  private heard: SentenceRef | undefined;

  constructor(
    readonly callId: string,
    readonly codec: CallCodec,
    public connection: MediaConnection,
    private readonly deps: StreamingPlaybackDeps,
    currentTurnId: string,
    /** A turn a barge-in cancelled before this instance took the call: its audio is never played. */
    cancelledTurn?: string,
  ) {
    this.queue = new PlayoutQueue(codec);
    this.newestTurn = currentTurnId || '0';
    if (cancelledTurn) {
      this.cancelled.add(cancelledTurn);
      this.queue.cancelTurn(cancelledTurn);
    }
  }

  onAudio(entry: AudioChunkMessage | AudioEndMessage): void {
    if (this.cancelled.has(entry.turnId) || compareTurnIds(entry.turnId, this.newestTurn) < 0) return;
    this.newestTurn = entry.turnId;
    const { pacer } = this.deps;
    for (const item of this.queue.push(entry).items) {
      if (isPlayoutMark(item)) {
        pacer.enqueueMark(this.callId, item.name, item.last);
        continue;
      }
      const turnId = this.queue.currentTurn ?? entry.turnId;
      if (!this.startedTurns.has(turnId)) this.onTurnAudible(turnId);
      pacer.enqueue(this.callId, item);
    }
  }

  onTelnyxPlayback(): void {
    // REST playback events: nothing of this call is played that way while it streams.
  }

  /** Barge-in: Telnyx `clear`, every buffer reset, and the text the caller actually heard reported. */
  cancel(turnId: string): void {
    if (this.cancelled.has(turnId)) return;
    this.cancelled.add(turnId);
    if (compareTurnIds(turnId, this.newestTurn) > 0) this.newestTurn = turnId;
    const heardPosition = this.deps.pacer.clear(this.callId);
    this.connection.sendClear();
    const turn = this.queue.turn(turnId);
    this.queue.cancelTurn(turnId);
    if (turn && this.startedTurns.has(turnId)) {
      const heard = heardText(turn.sentences, framesPlayedOfTurn(turn, heardPosition));
      this.report(turnId, () => this.deps.reports.heard(this.callId, turnId, heard.text, false));
      this.deps.logger.info({ callId: this.callId, turnId, pii: { heard: heard.text } }, 'barge-in: playback cleared');
    }
  }

  /** Telnyx echoed a mark: the audio before it has been played. */
  markPlayed(name: string): void {
    const startedTurn = parseTurnStartMarkName(name);
    if (startedTurn !== undefined) {
      if (!this.cancelled.has(startedTurn)) this.deps.marks.stamp(this.callId, startedTurn, 'firstHeardAt');
      return;
    }
    const mark = parseSentenceMarkName(name);
    // Marks of a cancelled turn come back at once on `clear`: they say nothing about what was heard.
    if (!mark || this.cancelled.has(mark.turnId)) return;
    const sentence = { turnId: mark.turnId, seq: mark.seq };
    this.heard = laterSentence(this.heard, sentence);
    this.deps.sentenceHeard?.(this.callId, sentence);
    if (!mark.last) return;
    const turn = this.queue.turn(mark.turnId);
    const text = turn ? turn.sentences.map((s) => s.text).filter(Boolean).join(' ') : '';
    this.report(mark.turnId, () => this.deps.reports.finished(this.callId, mark.turnId));
    this.report(mark.turnId, () => this.deps.reports.heard(this.callId, mark.turnId, text, true));
    this.report(mark.turnId, () => this.deps.marks.publish(this.callId, mark.turnId));
  }

  heardThrough(): SentenceRef | undefined {
    return this.heard;
  }

  close(): void {
    this.deps.pacer.remove(this.callId);
    this.deps.closed?.(this.callId);
  }

  /** The turn's first frame is about to go out (the pacer sends a first frame at once). */
  private onTurnAudible(turnId: string): void {
    this.startedTurns.add(turnId);
    this.deps.pacer.enqueueMark(this.callId, turnStartMarkName(turnId));
    this.deps.marks.stamp(this.callId, turnId, 'firstFrameSentAt');
    this.report(turnId, () => this.deps.reports.started(this.callId, turnId));
  }

  private report(turnId: string, send: () => Promise<unknown> | void): void {
    const failed = (error: unknown) => this.deps.logger.warn({ callId: this.callId, turnId, err: error }, 'playback report failed');
    try {
      Promise.resolve(send()).catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}
