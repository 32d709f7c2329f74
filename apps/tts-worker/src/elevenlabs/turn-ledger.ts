import type { TimerHandle } from '@app/clock';
import type { PendingSentence, SentenceInput } from './tts-session.types';

/**
 * What the session owes each turn: its sentences in order, how far each got (sent on which context,
 * chunks emitted, covered, ended), and the turn's own flags. Survives sockets: after a drop, the
 * sentences not yet covered are sent again and their already-emitted chunks skipped.
 */
export interface SentenceRecord {
  readonly seq: number;
  readonly text: string;
  readonly last: boolean;
  /** Context it was flushed on, on the current socket; undefined = (re)send it. */
  sentOn?: string;
  sentAt?: number;
  /** TTFB already logged for the current attempt. */
  ttfbLogged: boolean;
  /** Chunks emitted so far: the next chunk number. */
  chunksEmitted: number;
  bytesEmitted: number;
  /**
   * Bytes of a regenerated attempt still to drop: they were emitted from an earlier attempt (or by an
   * earlier owner). Counted in bytes, not chunks: a new generation cuts its chunks elsewhere, but byte
   * n of the audio is the same moment of speech.
   */
  skipBytes: number;
  /** All its characters have been attributed: its audio is complete. */
  covered: boolean;
  /** sentenceEnd emitted. */
  ended: boolean;
}

export interface TurnRecord {
  readonly turnId: string;
  readonly sentences: SentenceRecord[];
  /** The context carrying the turn on the current socket. */
  contextId?: string;
  /** Connection that `contextId` lives on, and how many contexts the turn has opened there. */
  contextConnectionId?: number;
  contextsOnConnection: number;
  /** The turn's text is complete (last sentence or endTurn). */
  endRequested: boolean;
  /** A newer turn started: accepts no more text, finishes what is in flight. */
  superseded: boolean;
  /** The no-audio re-send has been used. */
  noAudioRetried: boolean;
  /** Handed to the fallback: the session speaks nothing more of it. */
  handedOff: boolean;
  /** Zero-character audio that arrived after its sentence ended, prepended to the next sentence's first chunk. */
  carry: Buffer[];
  /** Ends covered sentences whose trailing audio has had time to arrive. */
  trailTimer?: TimerHandle;
}

type Tombstone = 'finished' | 'cancelled';

export class TurnLedger {
  private readonly turns = new Map<string, TurnRecord>();
  /** Turns that must accept nothing more (late or redelivered sentences are dropped). */
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly firstSeen = new Map<string, number>();
  private seen = 0;
  /** The newest turn seen (for log lines not about a particular turn). */
  latestTurnId?: string;

  get(turnId: string): TurnRecord | undefined {
    return this.turns.get(turnId);
  }

  tombstone(turnId: string): Tombstone | undefined {
    return this.tombstones.get(turnId);
  }

  /** Turns still being spoken (not finished, cancelled or handed off). */
  active(): TurnRecord[] {
    return [...this.turns.values()].filter((t) => !t.handedOff);
  }

  all(): TurnRecord[] {
    return [...this.turns.values()];
  }

  getOrCreate(turnId: string): TurnRecord {
    let turn = this.turns.get(turnId);
    if (!turn) {
      turn = {
        turnId,
        sentences: [],
        contextsOnConnection: 0,
        endRequested: false,
        superseded: false,
        noAudioRetried: false,
        handedOff: false,
        carry: [],
      };
      this.turns.set(turnId, turn);
      this.noteSeen(turnId);
      this.latestTurnId = turnId;
    }
    return turn;
  }

  /** Whether `turnId` is older than some turn already known (decimal ids compare as numbers). */
  isOlderThanKnown(turnId: string): boolean {
    const known = [...this.firstSeen.keys()].filter((id) => id !== turnId);
    if (/^\d+$/.test(turnId)) {
      const mine = BigInt(turnId);
      return known.some((id) => /^\d+$/.test(id) && BigInt(id) > mine);
    }
    const mine = this.firstSeen.get(turnId);
    return mine !== undefined && known.some((id) => (this.firstSeen.get(id) ?? 0) > mine);
  }

  /** Adds a sentence in seq order; undefined when that seq is already known (redelivery). */
  addSentence(turn: TurnRecord, input: SentenceInput): SentenceRecord | undefined {
    if (turn.sentences.some((s) => s.seq === input.seq)) return undefined;
    const resume = input.resume;
    const record: SentenceRecord = {
      seq: input.seq,
      text: input.text,
      last: input.last,
      ttfbLogged: false,
      chunksEmitted: resume?.chunks ?? 0,
      bytesEmitted: resume?.bytes ?? 0,
      skipBytes: resume?.bytes ?? 0,
      // Published to its end by an earlier owner: known (so a redelivery is ignored), never said again.
      covered: resume?.done ?? false,
      ended: resume?.done ?? false,
    };
    const at = turn.sentences.findIndex((s) => s.seq > input.seq);
    if (at < 0) turn.sentences.push(record);
    else turn.sentences.splice(at, 0, record);
    return record;
  }

  sentence(turn: TurnRecord, seq: number): SentenceRecord | undefined {
    return turn.sentences.find((s) => s.seq === seq);
  }

  /** The sentence that ends the turn's audio: the last one, once the turn's text is complete. */
  isFinalSentence(turn: TurnRecord, sentence: SentenceRecord): boolean {
    return sentence.last || (turn.endRequested && turn.sentences[turn.sentences.length - 1] === sentence);
  }

  /** After losing a context: what was not covered is sent again, skipping the chunks already emitted. */
  resetForResend(turn: TurnRecord): void {
    for (const s of turn.sentences) {
      if (s.covered || s.ended) continue;
      s.sentOn = undefined;
      s.sentAt = undefined;
      s.ttfbLogged = false;
      s.skipBytes = s.bytesEmitted;
    }
    turn.contextId = undefined;
  }

  pending(turn: TurnRecord): PendingSentence[] {
    return turn.sentences
      .filter((s) => !s.covered && !s.ended)
      .map(({ seq, text, last, chunksEmitted, bytesEmitted }) => ({ seq, text, last, chunksEmitted, bytesEmitted }));
  }

  /** The turn is done (all audio out, or cancelled): drop its record, keep a tombstone for fencing. */
  finish(turnId: string, how: Tombstone): void {
    this.turns.delete(turnId);
    this.tombstones.set(turnId, how);
    this.noteSeen(turnId);
  }

  clear(): void {
    this.turns.clear();
  }

  private noteSeen(turnId: string): void {
    if (!this.firstSeen.has(turnId)) this.firstSeen.set(turnId, ++this.seen);
  }
}
