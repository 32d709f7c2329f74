import { isDigit } from './char-classes';

/**
 * Words whose trailing period is not a sentence end, consulted only for a single "." followed by a
 * space and a word that could start a sentence (a lower-case word already says "not an end").
 *
 * Abbreviations that often do end a sentence — etc., Inc., Ltd., Co., Jr., Sr., a.m., p.m., U.S.,
 * U.K. — are deliberately absent: like ordinary words they end a sentence before a capital
 * ("We open at 9 a.m. Please call.") and not before a lower-case word ("at 9 a.m. tomorrow").
 * A missed end only makes one sentence longer; a false end breaks the prosody of a phrase in two,
 * so the lists below hold only words that are almost never last.
 */

/**
 * Titles and name prefixes: a name follows, so "Dr. Smith" is one phrase. Case-sensitive, so that
 * "300 ms. Then" or "the main st. Next" (rare) are not swallowed by "Ms." and "St.".
 */
const TITLES = new Set([
  'Dr', 'Mr', 'Mrs', 'Ms', 'Mx', 'Prof', 'St', 'Mt', 'Ft', 'Rev', 'Fr', 'Hon', 'Gen', 'Col', 'Capt',
  'Lt', 'Sgt', 'Gov', 'Sen', 'Rep', 'Pres', 'Supt', 'Messrs',
]);

/** Words that introduce what follows, even a capitalised word ("e.g. Paris", "Roe v. Wade"). Lower-cased. */
const INTRODUCERS = new Set(['e.g', 'i.e', 'vs', 'v', 'cf', 'viz', 'approx', 'incl', 'esp']);

/**
 * Prefixes of a number ("No. 5", "ext. 204", "pp. 12", "Jan. 5"). Only before a digit: "No. That
 * is wrong." ends a sentence. Lower-cased.
 */
const NUMBER_PREFIXES = new Set([
  'no', 'nos', 'nr', 'vol', 'ch', 'fig', 'sec', 'pt', 'art', 'ext', 'tel', 'ph', 'apt', 'ste', 'rm',
  'pg', 'p', 'pp', 'op', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
]);

/** A single capital letter is an initial ("J. R. R. Tolkien"); "Plan B. Then" is the rarer case. */
const INITIAL = /^\p{Lu}$/u;

/** Whether `word` (without its period) cannot end a sentence when `next` starts the following word. */
export function isNonFinalAbbreviation(word: string, next: string): boolean {
  const lower = word.toLowerCase();
  if (TITLES.has(word) || INTRODUCERS.has(lower) || INITIAL.test(word)) return true;
  return isDigit(next) && NUMBER_PREFIXES.has(lower);
}
