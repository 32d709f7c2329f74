import { isWhitespace } from './char-classes';
import { NEED_MORE, ScanDecision, continueAt, cutAt } from './scan-decision';

/**
 * Clause boundaries where the first piece of a long first sentence may be cut early (the segmenter
 * asks only while that piece is long enough). Each needs at most the characters that tell it apart
 * from the same characters inside a word or a number:
 *
 * - `,` `;` `:` followed by whitespace, cut after the mark ("1,000" and "10:30" have none).
 * - An em dash, cut right after it: it never sits inside a word or a number.
 * - A hyphen or en dash with a space before and after ("well-known" and "2–3" have none).
 * - Before one of the conjunctions below, once the whitespace after it shows it is the whole word
 *   ("and" rather than "android").
 */

/**
 * Conjunctions that start a clause a listener hears as a natural continuation. "so" also appears as
 * an intensifier ("so much"); cutting there is rarer than the gain and costs only a short pause.
 */
const CLAUSE_CONJUNCTIONS: readonly string[] = ['and', 'but', 'so', 'or', 'because', 'although'];

export function decideClause(text: string, i: number, ended: boolean): ScanDecision {
  const c = text[i];
  if (c === '—') return cutAt(i + 1);
  if (c === ',' || c === ';' || c === ':') return cutIfSpaceFollows(text, i, ended);
  if ((c === '-' || c === '–') && i > 0 && text[i - 1] === ' ') return cutIfSpaceFollows(text, i, ended);
  if (c === ' ') return cutBeforeConjunction(text, i, ended);
  return continueAt(i + 1);
}

function cutIfSpaceFollows(text: string, i: number, ended: boolean): ScanDecision {
  if (i + 1 === text.length) return ended ? continueAt(i + 1) : NEED_MORE;
  return isWhitespace(text[i + 1]) ? cutAt(i + 1) : continueAt(i + 1);
}

/** `text[i]` is a space; the piece ends before it when a conjunction and whitespace follow. */
function cutBeforeConjunction(text: string, i: number, ended: boolean): ScanDecision {
  let undecided = false;
  for (const word of CLAUSE_CONJUNCTIONS) {
    const ahead = text.slice(i + 1, i + 2 + word.length);
    if (ahead.length === word.length + 1) {
      if (ahead.startsWith(word) && isWhitespace(ahead[word.length])) return cutAt(i);
    } else if (!ended && word.startsWith(ahead)) {
      undecided = true;
    }
  }
  return undecided ? NEED_MORE : continueAt(i + 1);
}
