/**
 * Character classes shared by the boundary rules and the segmenter. Sets, not regexes, for the
 * single-character tests that run on every character of every answer.
 */

/** Characters that can end a sentence: ASCII, the ellipsis character and the CJK full-width stops. */
const TERMINATORS = new Set(['.', '!', '?', '…', '。', '！', '？']);

/** CJK stops end a sentence without a following space, because CJK text has none between sentences. */
const CJK_TERMINATORS = new Set(['。', '！', '？']);

/** Closing quotes and brackets that belong to the sentence they follow: `"Stop."` ends after the `"`. */
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»', '」', '』', '）', '】']);

/** Opening quotes and brackets stripped from a word before it is compared with the abbreviations. */
const OPENERS = new Set(['"', "'", '“', '‘', '(', '[', '{', '«', '「', '『', '（', '【']);

/** After a terminator, these continue the sentence just as a lower-case word does ("etc., and"). */
const CONTINUATION_PUNCTUATION = new Set([',', ';', ':']);

const LOWERCASE = /^\p{Ll}$/u;
const LETTER = /^\p{L}$/u;
const DIGIT = /^[0-9]$/;

export function isTerminator(c: string): boolean {
  return TERMINATORS.has(c);
}

export function isCjkTerminator(c: string): boolean {
  return CJK_TERMINATORS.has(c);
}

export function isCloser(c: string): boolean {
  return CLOSERS.has(c);
}

export function isOpener(c: string): boolean {
  return OPENERS.has(c);
}

export function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\u00a0';
}

/** Whitespace that does not end a line (a newline is a hard boundary of its own). */
export function isInlineSpace(c: string): boolean {
  return c !== '\n' && isWhitespace(c);
}

export function isDigit(c: string): boolean {
  return DIGIT.test(c);
}

export function isLetter(c: string): boolean {
  return LETTER.test(c);
}

/** The first character of the next word says the sentence goes on: a lower-case letter or `,;:`. */
export function continuesSentence(c: string): boolean {
  return LOWERCASE.test(c) || CONTINUATION_PUNCTUATION.has(c);
}

/** Index of the first character at or after `from` that fails `test` (or `text.length`). */
export function skipWhile(text: string, from: number, test: (c: string) => boolean): number {
  let i = from;
  while (i < text.length && test(text[i])) i++;
  return i;
}

/** Index where the whitespace-delimited word that ends at `i` (exclusive) starts. */
export function wordStart(text: string, i: number): number {
  let start = i;
  while (start > 0 && !isWhitespace(text[start - 1])) start--;
  return start;
}

/** The terminator `text` ends with, ignoring closing quotes and brackets after it; '' if none. */
export function finalTerminator(text: string): string {
  let i = text.length - 1;
  while (i >= 0 && isCloser(text[i])) i--;
  return i >= 0 && isTerminator(text[i]) ? text[i] : '';
}
