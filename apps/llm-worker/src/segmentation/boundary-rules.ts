import { isNonFinalAbbreviation } from './abbreviations';
import {
  continuesSentence,
  isCjkTerminator,
  isCloser,
  isInlineSpace,
  isOpener,
  isTerminator,
  isWhitespace,
  skipWhile,
  wordStart,
} from './char-classes';
import { NEED_MORE, ScanDecision, continueAt, cutAt } from './scan-decision';

/**
 * Sentence ends, the strict rules. `text` starts at the beginning of the sentence being built; `i`
 * is a terminator. The terminator run (".", "?!", "...", "…") and the closing quotes and brackets
 * after it belong to the sentence. What must be seen after them to confirm an end, the least that
 * is safe whatever comes next:
 *
 * - CJK stops (。！？): one more character, to know no closing bracket follows. No space is expected.
 * - "!" / "?" not followed by a closer: the whitespace after them. Nothing else.
 * - "." / "..." / "…", and "!" / "?" inside quotes or brackets: the first character of the next
 *   word. A lower-case letter or `,;:` continues the sentence (`"Stop!" he said`, "3 p.m. today",
 *   "I see... maybe"); anything else ends it unless the word before a single "." is an
 *   abbreviation, an initial or a list number.
 * - No whitespace after the terminator: not an end ("3.14", "v2.5", "example.com/a?x=1").
 * - A newline after the terminator ends the sentence whatever the word before.
 *
 * LLM tokens carry their leading space (" Then"), so when a delta ends right after the terminator,
 * what confirms it arrives only with the next token, 20–25 ms later. eager-rules.ts decides, for
 * that moment only, which ends are certain enough not to wait for it.
 */
export function decideTerminator(text: string, i: number, ended: boolean): ScanDecision {
  const runEnd = skipWhile(text, i, isTerminator);
  const end = skipWhile(text, runEnd, isCloser);
  if (end === text.length) return ended ? cutAt(end) : NEED_MORE;

  const run = text.slice(i, runEnd);
  if ([...run].some(isCjkTerminator)) return cutAt(end);
  if (!isWhitespace(text[end])) return continueAt(end);

  const exclaims = run.includes('!') || run.includes('?');
  const closed = end > runEnd;
  if (exclaims && !closed) return cutAt(end);

  const nextWord = skipWhile(text, end, isInlineSpace);
  if (nextWord === text.length) return ended ? cutAt(end) : NEED_MORE;
  const next = text[nextWord];
  if (next === '\n') return cutAt(end);
  if (continuesSentence(next)) return continueAt(end);
  if (run !== '.') return cutAt(end);
  return periodEndsSentence(text, i, next) ? cutAt(end) : continueAt(end);
}

/** A one- or two-digit number before "." at the start of a sentence or after ":" is a list marker. */
const LIST_NUMBER = /^[0-9]{1,2}$/;

/** A single "." at `i`, followed by a space and `next`, which could start a sentence. */
function periodEndsSentence(text: string, i: number, next: string): boolean {
  const start = wordStart(text, i);
  const word = text.slice(skipWhile(text, start, isOpener), i);
  if (isNonFinalAbbreviation(word, next)) return false;
  if (LIST_NUMBER.test(word) && introducesList(text.slice(0, start))) return false;
  return true;
}

function introducesList(before: string): boolean {
  const trimmed = before.trimEnd();
  return trimmed === '' || trimmed.endsWith(':');
}
