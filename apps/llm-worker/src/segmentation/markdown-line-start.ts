import { skipWhile } from './char-classes';

/**
 * What the start of a markdown line is. `text` begins at the first character of a line (after any
 * block marker already dropped). Like the boundary rules it answers `need-more` only while the
 * characters that decide are missing, and each decision needs only a few: "- i" is a bullet,
 * "**b" is bold text, "|-" is still possibly a table separator and waits for the line's next
 * non-rule character or its end.
 */
export type LineStart =
  | { readonly kind: 'need-more' }
  /** Plain text after dropping `skip` characters (indentation, heading or ordered-list marker). */
  | { readonly kind: 'text'; readonly skip: number }
  /** A bullet or quote marker of `skip` characters; what follows may hold another marker. */
  | { readonly kind: 'nested'; readonly skip: number }
  /** A line with nothing to say: horizontal rule, table separator, setext underline, bare marker. */
  | { readonly kind: 'drop-line' }
  /** A code fence opener; its character closes it. */
  | { readonly kind: 'fence'; readonly fenceChar: string };

const NEED_MORE: LineStart = { kind: 'need-more' };

/** Fences and horizontal rules need three characters (CommonMark); "``" is inline code. */
export const FENCE_MIN_RUN = 3;

/** CommonMark headings have at most six "#"; "#######" or "#1" is text. */
const MAX_HEADING_LEVEL = 6;

/** An ordered-list number has at most nine digits (CommonMark); a longer one is a number in the text. */
const MAX_LIST_DIGITS = 9;

/** Characters of lines that are only structure: rules (---, ***, ___), table separators (|:--|), setext (===). */
const RULE_CHARS = new Set(['-', '*', '_', '=', '+', '|', ':', '•', ' ', '\t']);

/** Bullet markers, each followed by a space. */
const BULLETS = new Set(['-', '*', '+', '•']);

const isIndent = (c: string): boolean => c === ' ' || c === '\t';
const isDigitChar = (c: string): boolean => c >= '0' && c <= '9';

export function classifyLineStart(text: string, ended: boolean): LineStart {
  const i = skipWhile(text, 0, isIndent);
  if (i === text.length) return ended ? { kind: 'text', skip: i } : NEED_MORE;
  const c = text[i];
  if (c === '`' || c === '~') return fenceOrText(text, i, ended);
  if (c === '#') return headingOrText(text, i, ended);
  if (c === '>') return { kind: 'nested', skip: i + 1 };
  if (isDigitChar(c)) return orderedMarkerOrText(text, i, ended);
  if (RULE_CHARS.has(c)) return ruleBulletOrText(text, i, ended);
  return { kind: 'text', skip: i };
}

function fenceOrText(text: string, i: number, ended: boolean): LineStart {
  const runEnd = skipWhile(text, i, (x) => x === text[i]);
  if (runEnd - i >= FENCE_MIN_RUN) return { kind: 'fence', fenceChar: text[i] };
  if (runEnd === text.length && !ended) return NEED_MORE;
  return { kind: 'text', skip: i };
}

function headingOrText(text: string, i: number, ended: boolean): LineStart {
  const runEnd = skipWhile(text, i, (x) => x === '#');
  if (runEnd === text.length) return ended ? { kind: 'drop-line' } : NEED_MORE;
  if (runEnd - i > MAX_HEADING_LEVEL) return { kind: 'text', skip: i };
  const after = text[runEnd];
  if (after === '\n') return { kind: 'drop-line' };
  return isIndent(after) ? { kind: 'text', skip: runEnd + 1 } : { kind: 'text', skip: i };
}

function orderedMarkerOrText(text: string, i: number, ended: boolean): LineStart {
  const digitsEnd = skipWhile(text, i, isDigitChar);
  const asText: LineStart = { kind: 'text', skip: i };
  if (digitsEnd - i > MAX_LIST_DIGITS) return asText;
  if (digitsEnd === text.length) return ended ? asText : NEED_MORE;
  const mark = text[digitsEnd];
  if (mark !== '.' && mark !== ')') return asText;
  if (digitsEnd + 1 === text.length) return ended ? asText : NEED_MORE;
  return isIndent(text[digitsEnd + 1]) ? { kind: 'text', skip: digitsEnd + 2 } : asText;
}

function ruleBulletOrText(text: string, i: number, ended: boolean): LineStart {
  const ruleEnd = skipWhile(text, i, (x) => RULE_CHARS.has(x));
  if (ruleEnd === text.length) return ended ? { kind: 'drop-line' } : NEED_MORE;
  if (text[ruleEnd] === '\n') return { kind: 'drop-line' };
  const bullet = BULLETS.has(text[i]) && i + 1 < ruleEnd && isIndent(text[i + 1]);
  return bullet ? { kind: 'nested', skip: i + 2 } : { kind: 'text', skip: i };
}
