import { isDigit } from './char-classes';

/**
 * Words whose trailing period is not a sentence end, consulted by the strict rule only for a single
 * "." followed by a space and a word that could start a sentence (a lower-case word already says
 * "not an end").
 *
 * Abbreviations that often do end a sentence — etc., Inc., Ltd., Co., Jr., Sr., a.m., p.m., U.S.,
 * U.K. — are deliberately absent from that rule: like ordinary words they end a sentence before a
 * capital ("We open at 9 a.m. Please call.") and not before a lower-case word ("at 9 a.m. tomorrow").
 * A missed end only makes one sentence longer; a false end breaks the prosody of a phrase in two,
 * so those lists hold only words that are almost never last.
 *
 * The eager rule (eager-rules.ts) decides before the next word has arrived, so for it every
 * abbreviation is a reason to wait: `isPossibleAbbreviation` adds the ones that may or may not end
 * a sentence.
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

/**
 * Abbreviations that end a sentence or not depending on the next word ("etc. The desk" vs "etc. are
 * in"). Lower-cased. Street words are here because "Main Ave. near the park" is as likely as an end.
 */
const SOMETIMES_FINAL = new Set([
  'etc', 'al', 'inc', 'ltd', 'co', 'corp', 'llc', 'plc', 'jr', 'sr', 'bros', 'dept', 'est', 'misc', 'ca',
  'ave', 'blvd', 'rd', 'ln', 'hwy',
]);

/** Weekdays ("Mon. to Fri."). Case-sensitive, so that "I sat." or "we wed." stay words. */
const WEEKDAYS = new Set(['Mon', 'Tue', 'Tues', 'Wed', 'Thu', 'Thur', 'Thurs', 'Fri', 'Sat', 'Sun']);

/**
 * Units and times of day, abbreviations only after a number ("3 km. away", "9 am. sharp"); after
 * any other word they are words that may end a sentence ("Yes, I am."). Lower-cased.
 */
const UNITS = new Set([
  'am', 'pm', 'km', 'kg', 'cm', 'mm', 'mg', 'ml', 'lb', 'lbs', 'oz', 'ft', 'hr', 'hrs', 'min', 'mins', 'sec',
  'secs', 'yr', 'yrs', 'wk', 'wks', 'mph', 'sq', 'tbsp', 'tsp', 'pcs',
]);

/**
 * Whether `word` (without its period) could be an abbreviation that the next word, not received
 * yet, continues. `afterNumber`: the word before it is a number.
 */
export function isPossibleAbbreviation(word: string, afterNumber: boolean): boolean {
  const lower = word.toLowerCase();
  if (TITLES.has(word) || WEEKDAYS.has(word) || INITIAL.test(word)) return true;
  if (INTRODUCERS.has(lower) || NUMBER_PREFIXES.has(lower) || SOMETIMES_FINAL.has(lower)) return true;
  return afterNumber && UNITS.has(lower);
}
