import { decideTerminator } from './boundary-rules';
import { finalTerminator, isCjkTerminator, isCloser, isTerminator, isWhitespace, skipWhile } from './char-classes';
import { decideClause } from './clause-rules';
import { eagerClauseEnd, eagerTerminatorEnd } from './eager-rules';
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
  /**
   * Confirm an end the moment its terminator (or the first piece's `,;:`) arrives at the end of a
   * delta when nothing that could follow would change the answer (eager-rules.ts), instead of
   * waiting for the next delta's first characters: one LLM token, 20–25 ms, off the time to first
   * audio of every turn. The price: the sentences then depend on where the stream was split, in the
   * rare cases listed there. false: the strict rules only, and the same sentences for every split.
   * Default true.
   */
  eagerEnds?: boolean;
}

/**
 * Cuts a streamed LLM answer into speakable sentences, each returned by the `push` whose delta
 * confirms its end (boundary-rules.ts and clause-rules.ts say what confirms an end; with
 * `eagerEnds`, eager-rules.ts confirms the certain ones in the push of their terminator). Markdown
 * is made speakable on the way in. Without eager ends, or for any split where none applies (no
 * delta ends right after a terminator or a first-piece `,;:`), the output depends only on the text,
 * never on how it was split into deltas.
 *
 * One instance per answer stream: `end()` flushes and readies it for the next answer; `reset()`
 * drops everything (barge-in).
 */
export class SentenceSegmenter {
  private readonly firstChunkMinChars: number;
  private readonly minSentenceChars: number;
  private readonly firstChunkMaxWaitChars: number | undefined;
  private readonly eagerEnds: boolean;
  private readonly markdown = new MarkdownSpeakable();
  /** Speakable text of the sentence being built; never starts with whitespace. */
  private text = '';
  /** Every position of `text` before this one is known not to be a boundary. */
  private scanned = 0;
  /** Short sentences waiting to be sent with the next one. */
  private carry = '';
  private emittedAny = false;
  /** The last cut was eager and at the very end of the text: what arrives next is glued to its terminator. */
  private glued = false;

  constructor(options: SentenceSegmenterOptions = {}) {
    const firstChunk = options.firstChunkMinChars ?? DEFAULT_FIRST_CHUNK_MIN_CHARS;
    this.firstChunkMinChars = positive('firstChunkMinChars', firstChunk);
    this.minSentenceChars = positive('minSentenceChars', options.minSentenceChars ?? DEFAULT_MIN_SENTENCE_CHARS);
    const maxWait = options.firstChunkMaxWaitChars;
    this.firstChunkMaxWaitChars = maxWait === undefined ? undefined : positive('firstChunkMaxWaitChars', maxWait);
    this.eagerEnds = options.eagerEnds ?? true;
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
    this.emittedAny = this.glued = false;
  }

  private append(speakable: string): void {
    const fresh = this.glued ? this.dropGlued(speakable) : speakable;
    this.text = this.text === '' ? fresh.trimStart() : this.text + fresh;
  }

  /**
   * After an eager end, the closing quotes or brackets and further terminators that arrive glued to
   * its terminator (`"`, `)`, the rest of "!!!" or "?!") belonged to the sentence already sent. They
   * are dropped rather than starting the next sentence: TTS would read a lone `"` or `)` (or stumble
   * on it), and a closer or a repeated mark is silent in speech, so nothing audible is lost.
   * The eager rules never fire when a quote or bracket is open in the sentence, so this is rare.
   */
  private dropGlued(speakable: string): string {
    const kept = skipWhile(speakable, 0, (c) => isCloser(c) || isTerminator(c));
    if (kept < speakable.length) this.glued = false;
    return speakable.slice(kept);
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
      if (decision.kind === 'need-more') {
        const eager = this.eagerEnd(i, sentenceRule);
        if (eager === undefined) break;
        this.glued = eager === this.text.length;
        this.cut(out, eager, sentenceRule ? 'sentence' : 'forced');
        i = 0;
        continue;
      }
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

  /**
   * Where the strict rules wait for the next delta at `i` (never once the stream has ended), the end
   * of the piece if it is certain already. A sentence that would be held back as too short gains
   * nothing from an early end, so it is left to the strict rules, which see the next word.
   */
  private eagerEnd(i: number, sentenceRule: boolean): number | undefined {
    if (!this.eagerEnds) return undefined;
    if (!sentenceRule) return eagerClauseEnd(this.text, i);
    const end = eagerTerminatorEnd(this.text, i);
    if (end === undefined) return undefined;
    return this.heldBack(joinSentences(this.carry, normalizeSpaces(this.text.slice(0, end)))) ? undefined : end;
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
    if (kind === 'sentence' && this.heldBack(text)) {
      this.carry = text;
      return;
    }
    out.push(text);
    this.carry = '';
    this.emittedAny = true;
  }

  /** A sentence short enough to wait for the next, if it ends in a terminator. */
  private heldBack(text: string): boolean {
    return text.length < this.minSentenceChars && finalTerminator(text) !== '';
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
