import { decideTerminator } from './boundary-rules';
import { finalTerminator, isCjkTerminator, isTerminator, isWhitespace } from './char-classes';
import { decideClause } from './clause-rules';
import { MarkdownSpeakable } from './markdown-speakable';
import { ScanDecision, continueAt, cutAt } from './scan-decision';

/**
 * About 7 words, 2.5 s of speech: enough for the TTS voice to find a natural intonation for the
 * first piece, and reached after about 10 LLM tokens, so the first audio is not held for a whole
 * long sentence. Well above DEFAULT_MIN_SENTENCE_CHARS, so a first piece is never a fragment.
 */
export const DEFAULT_FIRST_CHUNK_MIN_CHARS = 40;

/**
 * About two words. A shorter sentence ("Sure.", "Okay!") sent alone gets clipped prosody and pays a
 * whole TTS request's first-byte cost for half a second of audio; sent with the next sentence it
 * costs only the few tokens until that one is complete.
 */
export const DEFAULT_MIN_SENTENCE_CHARS = 12;

export interface SentenceSegmenterOptions {
  /** The first piece of an answer may end at a clause boundary once it has this many characters (Infinity: never). */
  firstChunkMinChars?: number;
  /** A sentence shorter than this that ends in a terminator waits for the next (except at the end). */
  minSentenceChars?: number;
  /**
   * If set, a first piece with no boundary after this many characters is cut at its last space.
   * Off by default: a cut mid-phrase sounds worse than the wait for a comma, which is rarely long.
   */
  firstChunkMaxWaitChars?: number;
}

/**
 * Cuts a streamed LLM answer into speakable sentences, each returned by the `push` whose delta
 * confirms its end (see boundary-rules.ts for what confirms an end). Markdown is made speakable on
 * the way in. The output depends only on the text, never on how it was split into deltas.
 *
 * One instance per answer stream: `end()` flushes and readies it for the next answer; `reset()`
 * drops everything (barge-in).
 */
export class SentenceSegmenter {
  private readonly firstChunkMinChars: number;
  private readonly minSentenceChars: number;
  private readonly firstChunkMaxWaitChars: number | undefined;
  private readonly markdown = new MarkdownSpeakable();
  /** Speakable text of the sentence being built; never starts with whitespace. */
  private text = '';
  /** Every position of `text` before this one is known not to be a boundary. */
  private scanned = 0;
  /** Short sentences waiting to be sent with the next one. */
  private carry = '';
  private emittedAny = false;

  constructor(options: SentenceSegmenterOptions = {}) {
    const firstChunk = options.firstChunkMinChars ?? DEFAULT_FIRST_CHUNK_MIN_CHARS;
    this.firstChunkMinChars = positive('firstChunkMinChars', firstChunk);
    this.minSentenceChars = positive('minSentenceChars', options.minSentenceChars ?? DEFAULT_MIN_SENTENCE_CHARS);
    const maxWait = options.firstChunkMaxWaitChars;
    this.firstChunkMaxWaitChars = maxWait === undefined ? undefined : positive('firstChunkMaxWaitChars', maxWait);
  }

  /** Feeds one LLM delta; returns the sentences it completes, trimmed, in order. */
  push(delta: string): string[] {
    const out: string[] = [];
    this.append(this.markdown.push(delta));
    this.scan(out, false);
    return out;
  }

  /** The answer is complete: returns the remaining sentences and readies the segmenter for the next answer. */
  end(): string[] {
    const out: string[] = [];
    this.append(this.markdown.end());
    this.scan(out, true);
    this.emit(out, this.text, 'final');
    this.reset();
    return out;
  }

  /** Drops everything buffered without emitting it (barge-in, cancelled turn). */
  reset(): void {
    this.markdown.reset();
    this.text = this.carry = '';
    this.scanned = 0;
    this.emittedAny = false;
  }

  private append(speakable: string): void {
    this.text = this.text === '' ? speakable.trimStart() : this.text + speakable;
  }

  private scan(out: string[], ended: boolean): void {
    let i = this.scanned;
    while (i < this.text.length) {
      if (this.firstPieceTooLong(i)) {
        const space = lastWhitespace(this.text, i);
        this.cut(out, space > 0 ? space : i, 'forced');
        i = 0;
        continue;
      }
      const c = this.text[i];
      const sentenceRule = c === '\n' || isTerminator(c);
      const decision = sentenceRule ? this.sentenceEnd(i, ended) : this.firstPieceClauseEnd(i, ended);
      if (decision.kind === 'need-more') break;
      if (decision.kind === 'continue') {
        i = decision.resume;
        continue;
      }
      this.cut(out, decision.end, sentenceRule ? 'sentence' : 'forced');
      i = 0;
    }
    this.scanned = i;
  }

  /** A newline always ends the sentence; a terminator does if the rules confirm it. */
  private sentenceEnd(i: number, ended: boolean): ScanDecision {
    return this.text[i] === '\n' ? cutAt(i) : decideTerminator(this.text, i, ended);
  }

  /** While the first piece is open and long enough, a clause boundary may end it early. */
  private firstPieceClauseEnd(i: number, ended: boolean): ScanDecision {
    if (!this.fastPathOpen() || this.carryLength() + i + 1 < this.firstChunkMinChars) return continueAt(i + 1);
    const clause = decideClause(this.text, i, ended);
    const longEnough = clause.kind !== 'cut' || this.carryLength() + clause.end >= this.firstChunkMinChars;
    return longEnough ? clause : continueAt(i + 1);
  }

  private firstPieceTooLong(i: number): boolean {
    const limit = this.firstChunkMaxWaitChars;
    return limit !== undefined && this.fastPathOpen() && this.carryLength() + i >= limit;
  }

  /** The early clause cut applies only until the first piece of the answer has been sent. */
  private fastPathOpen(): boolean {
    return !this.emittedAny;
  }

  private carryLength(): number {
    return this.carry === '' ? 0 : this.carry.length + 1;
  }

  private cut(out: string[], end: number, kind: 'sentence' | 'forced'): void {
    const piece = this.text.slice(0, end);
    this.text = this.text.slice(end).trimStart();
    this.emit(out, piece, kind);
  }

  /**
   * Sends `piece` after any carried short sentences. A short result is carried instead, but only if
   * it ends in a terminator: a heading or bullet without one would run into the next sentence.
   */
  private emit(out: string[], piece: string, kind: 'sentence' | 'forced' | 'final'): void {
    const text = joinSentences(this.carry, normalizeSpaces(piece));
    if (text === '') return;
    if (kind === 'sentence' && text.length < this.minSentenceChars && finalTerminator(text) !== '') {
      this.carry = text;
      return;
    }
    out.push(text);
    this.carry = '';
    this.emittedAny = true;
  }
}

/** CJK sentences are written without a space between them; others with one. */
function joinSentences(first: string, second: string): string {
  if (first === '' || second === '') return first + second;
  return isCjkTerminator(finalTerminator(first)) ? first + second : `${first} ${second}`;
}

function normalizeSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function lastWhitespace(text: string, before: number): number {
  let i = before - 1;
  while (i > 0 && !isWhitespace(text[i])) i--;
  return i;
}

/** A count of characters: a positive integer, or Infinity to switch the rule off. */
function positive(name: string, value: number): number {
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return value;
  throw new RangeError(`${name} must be a positive integer or Infinity, got ${value}`);
}
