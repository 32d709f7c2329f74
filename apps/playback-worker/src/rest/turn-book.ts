import { AppLogger } from '@app/telemetry';
import { PlaybackReports } from './rest-playback.ports';
import { TurnProgress } from './turn-progress';

/**
 * The turns of one REST-played call that are still being played, and the reports made about them:
 * started once, then finished and heard once every sentence of the turn is settled. Report failures
 * are logged, never thrown: playback goes on whatever the bus does.
 */
export class TurnBook {
  private readonly turns = new Map<string, TurnProgress>();

  constructor(
    private readonly callId: string,
    private readonly reports: PlaybackReports,
    private readonly logger: AppLogger,
  ) {}

  get(turnId: string): TurnProgress | undefined {
    return this.turns.get(turnId);
  }

  delete(turnId: string): void {
    this.turns.delete(turnId);
  }

  /** A new turn's record; older turns whose last sentence never came (superseded) can never finish. */
  turnOf(turnId: string): TurnProgress {
    let turn = this.turns.get(turnId);
    if (turn) return turn;
    for (const [id, older] of this.turns) if (!older.lastKnown) this.turns.delete(id);
    this.turns.set(turnId, (turn = new TurnProgress(turnId)));
    return turn;
  }

  /** Aborts every turn's encodes and forgets them (call ended). */
  abortAll(): void {
    for (const turn of this.turns.values()) turn.encodes.abort();
    this.turns.clear();
  }

  markStarted(turn: TurnProgress): void {
    if (turn.started) return;
    turn.started = true;
    this.report(turn.turnId, (reports) => reports.started(this.callId, turn.turnId));
  }

  /** Reports the turn finished, with what was heard of it, once all its sentences are settled. */
  finishIfComplete(turn: TurnProgress): void {
    if (!turn.complete || turn.finished) return;
    turn.finished = true;
    this.turns.delete(turn.turnId);
    const heard = turn.finalHeard();
    this.report(turn.turnId, (reports) => reports.finished(this.callId, turn.turnId));
    this.report(turn.turnId, (reports) => reports.heard(this.callId, turn.turnId, heard.text, heard.complete));
  }

  /** The turn's last sentence was already heard elsewhere (streaming, before the switch): nothing to report. */
  finishSilently(turn: TurnProgress): void {
    turn.finished = true;
    this.turns.delete(turn.turnId);
  }

  report(turnId: string, send: (reports: PlaybackReports) => Promise<unknown> | void): void {
    const failed = (error: unknown) => this.logger.warn({ callId: this.callId, turnId, err: error }, 'rest playback: report failed');
    try {
      Promise.resolve(send(this.reports)).catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}
