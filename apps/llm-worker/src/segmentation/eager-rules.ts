import { isPossibleAbbreviation } from './abbreviations';
import { isInlineSpace, isLetter, isOpener, isTerminator, skipWhile, wordStart } from './char-classes';
import { insideQuoteOrBracket } from './quote-balance';

/**
 * Eager ends: asked only when the received text stops right after a terminator (or the fast path's
 * `,;:`), where the strict rules (boundary-rules.ts, clause-rules.ts) would wait for the next
 * delta. LLM tokens carry their leading space, so that wait is one whole token — 20–25 ms at 40
 * tokens/s, added to the time to first audio of every turn. These rules confirm the end at once
 * when nothing that could follow would make it anything but an end:
 *
 * - `!` `?` `?!` `!!`… after a word that is not part of an address ("path?x=1").
 * - `.` after a word of two or more characters ending in a letter ("today", "10am"), so neither an
 *   initial ("J."), a number ("$12.", "v2.", which "50" or "5" may follow) nor a word holding `.`
 *   `@` `/` `:` or other address characters ("example.com.", "e.g."); not an abbreviation
 *   (abbreviations.ts); and not in a sentence that has just talked about an address (ADDRESS_CUES).
 * - `,` `;` `:` right after a letter (after a digit it may be "1,000" or "10:30"), not after a URL
 *   scheme ("https:").
 * - Never inside an open quote or bracket (quote-balance.ts), never with a closer already after
 *   the terminator (`"Stop!" he said`), never for "..." / "…" (usually followed by more).
 *
 * What is given up, measured against the strict rules on the same text: the output then depends on
 * where the stream was split, and a few splits cut where the strict rules would not —
 * - a domain or file name split exactly at its dot ("Book at example" + "." + "com"): "Book at
 *   example." then "com today.". Tokenizers put the dot at the start of the next token (".com"),
 *   so a delta ends on it only in the rare stream that sends "." alone; one token of latency on
 *   every turn is worth far more than that rare mis-split, which still says every word;
 * - an unknown abbreviation before a lower-case word ("Denver Intl." then "at noon."), and an
 *   ellipsis streamed as "." + ".." ("thinking." then "maybe Tuesday"), both rare as token splits.
 * Closers and terminators that arrive glued to an eager end are dropped by the segmenter.
 */

/** Runs of `!` and `?` only; a run with `.` or `…` in it is left to the strict rule. */
const EXCLAMATORY_RUN = /^[!?]+$/;

/** A word that can end a sentence: letters, marks, digits, apostrophes and hyphens, ending in a letter. */
const PLAIN_WORD = /^[\p{L}\p{M}\p{N}'’-]*\p{L}\p{M}*$/u;

/** Characters of addresses, paths and queries: a terminator after a word holding one may be inside it. */
const ADDRESS_CHARS = /[@/\\:.=&_#%~+]/;

/** A number before a unit ("3 km."), with its currency sign and separators. */
const NUMBER = /^[$€£¥]?[0-9][0-9.,]*$/;

/**
 * Words after which the next word in a voice answer is often an address ("visit example" + ".com").
 * A "." later in the same sentence waits for the next token, which costs one token on these
 * sentences only. Before the dot itself only "www" waits: "Please check your email." is an end.
 */
const ADDRESS_CUES = new Set(['www', 'http', 'https', 'visit', 'website', 'site', 'domain', 'url', 'email', 'e-mail']);

/** URL schemes, whose ":" is followed by "//" or an address, never by a clause. */
const URL_SCHEMES = new Set(['http', 'https', 'ftp', 'mailto', 'tel', 'sms']);

const CLAUSE_MARKS = new Set([',', ';', ':']);

/** `text[i]` starts a terminator run; the end of the piece if the run certainly ends a sentence. */
export function eagerTerminatorEnd(text: string, i: number): number | undefined {
  const runEnd = skipWhile(text, i, isTerminator);
  if (skipWhile(text, runEnd, isInlineSpace) !== text.length) return undefined;
  const run = text.slice(i, runEnd);
  const word = wordBefore(text, i);
  const certain = EXCLAMATORY_RUN.test(run) ? !ADDRESS_CHARS.test(word) : run === '.' && periodIsCertain(text, i, word);
  return certain && !insideQuoteOrBracket(text, i) ? runEnd : undefined;
}

/** `text[i]` is the last character received; the end of the first piece if it is a certain clause mark. */
export function eagerClauseEnd(text: string, i: number): number | undefined {
  if (i + 1 !== text.length || i === 0 || !CLAUSE_MARKS.has(text[i]) || !isLetter(text[i - 1])) return undefined;
  const word = wordBefore(text, i);
  if (ADDRESS_CHARS.test(word) || URL_SCHEMES.has(word.toLowerCase())) return undefined;
  return insideQuoteOrBracket(text, i) ? undefined : i + 1;
}

function periodIsCertain(text: string, i: number, word: string): boolean {
  if (Array.from(word).length < 2 || !PLAIN_WORD.test(word)) return false;
  const before = text.slice(0, wordStart(text, i));
  const words = before.toLowerCase().match(/[\p{L}\p{N}$€£¥.,-]+/gu) ?? [];
  if (isPossibleAbbreviation(word, NUMBER.test(words[words.length - 1] ?? ''))) return false;
  return word.toLowerCase() !== 'www' && !words.some((w) => ADDRESS_CUES.has(w.replace(/[.,]+$/, '')));
}

/** The word that ends at `i`, without the quotes and brackets that open it. */
function wordBefore(text: string, i: number): string {
  return text.slice(skipWhile(text, wordStart(text, i), isOpener), i);
}
