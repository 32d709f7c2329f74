import { isWhitespace, skipWhile } from './char-classes';
import { FENCE_MIN_RUN, classifyLineStart } from './markdown-line-start';
import { SpeakableLineWriter } from './speakable-line-writer';

/** A backslash before ASCII punctuation makes it literal (CommonMark), e.g. `\*` is a star. */
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;

const WORD_CHAR = /^[\p{L}\p{N}]$/u;

/**
 * A "!" right after one of these is a sentence's exclamation, passed on at once rather than held
 * until the next character says whether it opens an image ("![alt](url)"): holding it would cost
 * every "Great!" at the end of a delta one LLM token of latency. A "[" right after such a "!" still
 * opens an image (its alt text is hidden), so "Wow![map](u)" is heard as "Wow!".
 */
const EXCLAMATION_AFTER = /^[\p{L}\p{N}!?]$/u;

/**
 * Streaming markdown-to-speakable filter: what an LLM writes for a screen, made fit for the ear.
 * Emphasis, inline code and link markers are dropped and their text kept; heading, bullet, ordered
 * list and quote markers are dropped; rules and table separator lines vanish; table pipes become
 * `, ` between cells; images are dropped with their alt text; fenced code blocks are dropped whole
 * (code read aloud over a phone helps nobody, and the prose around it says what it does). Every
 * line end is passed on as "\n", which the segmenter treats as a hard boundary, so each heading,
 * bullet and table row is its own sentence.
 *
 * It holds back only the few characters whose meaning the next ones decide ("*" until its run ends,
 * "]" until "(" or not, a line's first characters until its marker is known) and passes everything
 * else on at once. Raw HTML and reference-style links pass through as text.
 */
export class MarkdownSpeakable {
  private readonly writer = new SpeakableLineWriter();
  /** Received characters not yet consumed, from `pos` on. */
  private pending = '';
  private pos = 0;
  private lineStart = true;
  /** The fence character ("`" or "~") while inside a fenced code block, else null. */
  private fenceChar: string | null = null;
  private fenceLineStart = false;
  /** Open parentheses of a link target being skipped: `[text](url (with) parens)`. */
  private urlDepth = 0;
  /** The last character consumed was a "!" passed on at once (EXCLAMATION_AFTER): a "[" opens an image. */
  private spokenBang = false;

  /** Feeds raw LLM text; returns the speakable text it completes (may be ''). */
  push(delta: string): string {
    return this.drain(delta, false);
  }

  /** Flushes what was held back, then gets ready for a new answer. */
  end(): string {
    const text = this.drain('', true);
    this.reset();
    return text;
  }

  /** Forgets everything held (barge-in): the next push starts a new answer. */
  reset(): void {
    this.writer.reset();
    this.pending = '';
    this.pos = this.urlDepth = 0;
    this.lineStart = true;
    this.fenceChar = null;
    this.fenceLineStart = this.spokenBang = false;
  }

  private drain(delta: string, ended: boolean): string {
    this.pending += delta;
    while (this.pos < this.pending.length && this.step(ended));
    this.pending = this.pending.slice(this.pos);
    this.pos = 0;
    return this.writer.take();
  }

  /** Consumes characters or changes mode; false when it needs characters not received yet. */
  private step(ended: boolean): boolean {
    if (this.fenceChar !== null) return this.stepFence(ended);
    if (this.urlDepth > 0) return this.stepUrl();
    if (this.lineStart) return this.stepLineStart(ended);
    return this.stepInline(ended);
  }

  private stepLineStart(ended: boolean): boolean {
    const start = classifyLineStart(this.pending.slice(this.pos), ended);
    switch (start.kind) {
      case 'need-more':
        return false;
      case 'nested':
        this.pos += start.skip;
        return true;
      case 'text':
        this.pos += start.skip;
        this.lineStart = false;
        return true;
      case 'drop-line': {
        const newline = this.pending.indexOf('\n', this.pos);
        this.pos = newline === -1 ? this.pending.length : newline;
        this.lineStart = false;
        return true;
      }
      case 'fence':
        this.fenceChar = start.fenceChar;
        this.fenceLineStart = this.lineStart = false;
        return true;
    }
  }

  /** Inside a fenced block: drop whole lines until one opens with the fence character again. */
  private stepFence(ended: boolean): boolean {
    const text = this.pending;
    if (this.fenceLineStart) {
      const runStart = skipWhile(text, this.pos, (c) => c === ' ' || c === '\t');
      const runEnd = skipWhile(text, runStart, (c) => c === this.fenceChar);
      if (runEnd - runStart >= FENCE_MIN_RUN) {
        this.fenceChar = null; // the rest of the closing line, then its newline, go inline
        this.pos = runEnd;
        return true;
      }
      if (runEnd === text.length && !ended) return false;
      this.fenceLineStart = false;
    }
    const newline = text.indexOf('\n', this.pos);
    this.pos = newline === -1 ? text.length : newline + 1;
    this.fenceLineStart = newline !== -1;
    return true;
  }

  private stepUrl(): boolean {
    const c = this.pending[this.pos];
    if (c === '\n') {
      this.urlDepth = 0; // an unclosed target ends with its line; the newline is handled inline
      return true;
    }
    if (c === '(') this.urlDepth++;
    else if (c === ')') this.urlDepth--;
    this.pos++;
    return true;
  }

  private stepInline(ended: boolean): boolean {
    const c = this.pending[this.pos];
    const afterSpokenBang = this.spokenBang;
    switch (c) {
      case '\n':
        this.writer.newline();
        this.lineStart = true;
        break;
      case '[':
        if (afterSpokenBang) this.writer.imageStart();
        break;
      case '\r':
      case '`':
        break;
      case '*':
      case '_':
      case '~':
        return this.emphasis(c, ended);
      case '!':
        if (!EXCLAMATION_AFTER.test(this.writer.previous())) return this.twoCharacterMarker(c, ended);
        this.writer.text(c);
        break;
      case '\\':
      case ']':
        return this.twoCharacterMarker(c, ended);
      case '|':
        this.writer.pipe();
        break;
      case ' ':
      case '\t':
        this.writer.space();
        break;
      default:
        this.writer.text(c);
    }
    this.spokenBang = c === '!';
    this.pos++;
    return true;
  }

  /** `\x` escapes, `](` opening a link target and `![` opening an image, each decided by the next character. */
  private twoCharacterMarker(c: string, ended: boolean): boolean {
    const next = this.peek(this.pos + 1, ended);
    if (next === undefined) return false;
    let length = 1;
    if (c === '\\' && ESCAPABLE.test(next)) {
      this.writer.text(next);
      length = 2;
    } else if (c === ']') {
      this.writer.imageEnd();
      if (next === '(') this.urlDepth = 1;
      length = next === '(' ? 2 : 1;
    } else if (c === '!') {
      if (next === '[') this.writer.imageStart();
      else this.writer.text('!');
      length = next === '[' ? 2 : 1;
    }
    this.spokenBang = false;
    this.pos += length;
    return true;
  }

  /** A run of `*`, `_` or `~`: dropped as emphasis unless literal ("2 * 3", "snake_case", "~5"). */
  private emphasis(c: string, ended: boolean): boolean {
    const runEnd = skipWhile(this.pending, this.pos, (x) => x === c);
    const next = this.peek(runEnd, ended);
    if (next === undefined) return false;
    const run = this.pending.slice(this.pos, runEnd);
    const prev = this.writer.previous();
    const intraword = c === '_' && WORD_CHAR.test(prev) && WORD_CHAR.test(next);
    const spaced = c === '*' && (prev === '' || prev === ' ') && (next === '' || isWhitespace(next));
    if (intraword || spaced || (c === '~' && run.length === 1)) this.writer.text(run);
    this.spokenBang = false;
    this.pos = runEnd;
    return true;
  }

  /** The character at `at`; '' past the end of an ended stream; undefined while it has not arrived. */
  private peek(at: number, ended: boolean): string | undefined {
    if (at < this.pending.length) return this.pending[at];
    return ended ? '' : undefined;
  }
}
