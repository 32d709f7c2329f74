import { AudioChunkMessage, AudioEndMessage, compareTurnIds, parseSentenceMarkName, parseTurnStartMarkName, turnStartMarkName } from '@app/contracts';
import { TurnMarks } from '@app/telemetry';
import { AppLogger } from '@app/telemetry';
import { FramePacer, PlayoutQueue, framesPlayedOfTurn, heardText, isPlayoutMark } from '../pacing';
import { CallCodec, MediaConnection } from '../media/media-connection';
import { PlaybackReporter } from './playback-reporter';

/**
 * One call's playback on this instance: the ordered, deduplicated, fenced queue of its audio feeding
 * the process-wide pacer, and the reports (started, finished, heard) that turn-taking depends on.
 */
export class CallPlayback {
  private readonly queue: PlayoutQueue;
  private readonly startedTurns = new Set<string>();
  private readonly cancelled = new Set<string>();
  private newestTurn = '0';

  constructor(
    readonly callId: string,
    readonly codec: CallCodec,
    public connection: MediaConnection,
    private readonly pacer: FramePacer,
    private readonly reporter: PlaybackReporter,
    private readonly logger: AppLogger,
    private readonly marks: TurnMarks,
    currentTurnId: string,
  ) {
    this.queue = new PlayoutQueue(codec);
    this.newestTurn = currentTurnId || '0';
  }

  onAudio(entry: AudioChunkMessage | AudioEndMessage): void {
    if (this.cancelled.has(entry.turnId) || compareTurnIds(entry.turnId, this.newestTurn) < 0) return;
    this.newestTurn = entry.turnId;
    const result = this.queue.push(entry);
    for (const item of result.items) {
      if (isPlayoutMark(item)) {
        this.pacer.enqueueMark(this.callId, item.name, item.last);
        continue;
      }
      if (!this.startedTurns.has(this.queue.currentTurn ?? entry.turnId)) this.onTurnAudible(this.queue.currentTurn ?? entry.turnId);
      this.pacer.enqueue(this.callId, item);
    }
  }

  /** Barge-in: Telnyx `clear`, every buffer reset, and the text the caller actually heard reported. */
  cancel(turnId: string): void {
    if (this.cancelled.has(turnId)) return;
    this.cancelled.add(turnId);
    if (compareTurnIds(turnId, this.newestTurn) > 0) this.newestTurn = turnId;
    const heardPosition = this.pacer.clear(this.callId);
    this.connection.sendClear();
    const turn = this.queue.turn(turnId);
    this.queue.cancelTurn(turnId);
    if (turn && this.startedTurns.has(turnId)) {
      const heard = heardText(turn.sentences, framesPlayedOfTurn(turn, heardPosition));
      void this.reporter.heard(this.callId, turnId, heard.text, false);
      this.logger.info({ callId: this.callId, turnId, pii: { heard: heard.text } }, 'barge-in: playback cleared');
    }
  }

  /** Telnyx echoed a mark: the audio before it has been played. */
  markPlayed(name: string): void {
    const startedTurn = parseTurnStartMarkName(name);
    if (startedTurn !== undefined) {
      if (!this.cancelled.has(startedTurn)) this.marks.stamp(this.callId, startedTurn, 'firstHeardAt');
      return;
    }
    const mark = parseSentenceMarkName(name);
    if (!mark || !mark.last || this.cancelled.has(mark.turnId)) return;
    const turn = this.queue.turn(mark.turnId);
    const text = turn ? turn.sentences.map((s) => s.text).filter(Boolean).join(' ') : '';
    void this.reporter.finished(this.callId, mark.turnId);
    void this.reporter.heard(this.callId, mark.turnId, text, true);
    void this.marks.publish(this.callId, mark.turnId);
  }

  dispose(): void {
    this.pacer.remove(this.callId);
  }

  /** The turn's first frame is about to go out (the pacer sends a first frame at once). */
  private onTurnAudible(turnId: string): void {
    this.startedTurns.add(turnId);
    this.pacer.enqueueMark(this.callId, turnStartMarkName(turnId));
    this.marks.stamp(this.callId, turnId, 'firstFrameSentAt');
    void this.reporter.started(this.callId, turnId);
  }
}
