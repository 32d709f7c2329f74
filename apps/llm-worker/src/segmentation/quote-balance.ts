import { isLetter, isOpener, isWhitespace } from './char-classes';

/**
 * Whether a quote or bracket opened in the sentence is still open: a terminator inside one may be
 * followed by its closer and a lower-case word that continues the sentence (`"Stop!" he said`), so
 * the eager rule leaves it to the strict one. Only the current sentence is counted; a quote opened
 * in an earlier one ends up as a closer glued to an eager end, which the segmenter drops.
 */

/** Openers and closers that come in distinct pairs; one count for all of them is enough here. */
const PAIRED_OPENERS = new Set(['(', '[', '{', '“', '«', '「', '『', '（', '【']);
const PAIRED_CLOSERS = new Set([')', ']', '}', '”', '»', '」', '』', '）', '】']);

/** `'` and `’` are apostrophes between letters ("don't") and quote marks elsewhere. */
const SINGLE_QUOTES = new Set(["'", '’']);

/** Whether `text` before `end` leaves a quote or bracket open. */
export function insideQuoteOrBracket(text: string, end: number): boolean {
  let double = false;
  let single = 0;
  let paired = 0;
  for (let k = 0; k < end; k++) {
    const c = text[k];
    if (c === '"') double = !double;
    else if (PAIRED_OPENERS.has(c)) paired++;
    else if (PAIRED_CLOSERS.has(c)) paired = Math.max(0, paired - 1);
    else if (c === '‘') single++;
    else if (SINGLE_QUOTES.has(c)) single = singleQuote(text, k, end, single);
  }
  return double || single > 0 || paired > 0;
}

/** The count of open single quotes after the `'` or `’` at `k`. */
function singleQuote(text: string, k: number, end: number, open: number): number {
  const before = k === 0 ? '' : text[k - 1];
  const after = k + 1 < end ? text[k + 1] : '';
  if (isLetter(before) && isLetter(after)) return open; // apostrophe
  if (before === '' || isWhitespace(before) || isOpener(before)) return after === '' || isWhitespace(after) ? open : open + 1;
  return Math.max(0, open - 1);
}
