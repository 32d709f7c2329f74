/**
 * What a rule says about one position of the text being scanned. Rules answer `need-more` only
 * when the characters that would change their answer have not arrived yet; that is what makes the
 * segmenter's output independent of how the stream was cut into deltas: every decision is taken on
 * the same characters whether they came in one delta or in twenty.
 */
export type ScanDecision =
  /** The answer depends on characters not received yet (never returned once the stream has ended). */
  | { readonly kind: 'need-more' }
  /** No boundary here; scanning goes on at `resume`. */
  | { readonly kind: 'continue'; readonly resume: number }
  /** A boundary: the piece is `text.slice(0, end)`. */
  | { readonly kind: 'cut'; readonly end: number };

export const NEED_MORE: ScanDecision = { kind: 'need-more' };

export function continueAt(resume: number): ScanDecision {
  return { kind: 'continue', resume };
}

export function cutAt(end: number): ScanDecision {
  return { kind: 'cut', end };
}
