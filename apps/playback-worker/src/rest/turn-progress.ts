import { HeardText, heardText } from '../pacing';

type SentenceState = 'pending' | 'played' | 'lost';

interface SentenceProgress {
  readonly seq: number;
  readonly text: string;
  readonly durationMs: number;
  state: SentenceState;
}

/** The playing sentence at a barge-in: which one, and for how long it had been playing. */
export interface PlayingSentence {
  readonly seq: number;
  readonly elapsedMs: number;
}

/**
 * One turn's sentences as REST playback settles them: played (Telnyx said completed) or lost (encode
 * or command failed, no audio, playback failed). The turn is complete when its last sentence is known
 * and every sentence is settled; that is when "finished" is reported. It also holds the turn's abort
 * signal for its encodes.
 */
export class TurnProgress {
  private readonly sentences: SentenceProgress[] = [];
  private lastSeq: number | undefined;
  started = false;
  finished = false;
  /** Aborts the turn's encodes (barge-in, hangup). */
  readonly encodes = new AbortController();

  constructor(readonly turnId: string) {}

  /** Sentences arrive in seq order (the collector releases them so). */
  add(sentence: { readonly seq: number; readonly text: string; readonly durationMs: number; readonly last: boolean }): void {
    this.sentences.push({ seq: sentence.seq, text: sentence.text, durationMs: sentence.durationMs, state: 'pending' });
    if (sentence.last) this.lastSeq = sentence.seq;
  }

  settle(seq: number, played: boolean): void {
    const sentence = this.sentences.find((candidate) => candidate.seq === seq);
    if (sentence && sentence.state === 'pending') sentence.state = played ? 'played' : 'lost';
  }

  /** The turn's last sentence has arrived. */
  get lastKnown(): boolean {
    return this.lastSeq !== undefined;
  }

  get complete(): boolean {
    return this.lastSeq !== undefined && this.sentences.every((sentence) => sentence.state !== 'pending');
  }

  /** At the end of the turn: every sentence played, in order; complete when none was lost. */
  finalHeard(): HeardText {
    const played = this.sentences.filter((sentence) => sentence.state === 'played');
    return { text: joinTexts(played.map((sentence) => sentence.text)), complete: played.length === this.sentences.length };
  }

  /**
   * At a barge-in: whole sentences played, then the share of the playing one's text proportional to how
   * long it had played (the streaming path's rule, `heardText`, measured here in ms instead of frames).
   */
  heardUntil(playing: PlayingSentence | undefined): HeardText {
    let playedMs = 0;
    const timeline = this.sentences.map((sentence) => {
      const durationMs = sentence.state === 'lost' ? 0 : sentence.durationMs; // lost: never heard
      if (sentence.state === 'played') playedMs += durationMs;
      if (playing && sentence.seq === playing.seq && sentence.state === 'pending') playedMs += Math.min(durationMs, playing.elapsedMs);
      return { text: sentence.text, frames: durationMs };
    });
    return heardText(timeline, playedMs);
  }
}

const joinTexts = (texts: string[]): string => texts.map((text) => text.trim()).filter(Boolean).join(' ');
