/** A sentence as played: its text and its length in 20 ms frames. */
export interface PlayedSentence {
  readonly text: string;
  readonly frames: number;
}

export interface HeardText {
  /** What the caller heard, whole words only. */
  readonly text: string;
  /** Every given sentence was played to its end. */
  readonly complete: boolean;
}

/**
 * The text the caller actually heard of a turn, given its sentences in order and how many of the
 * turn's frames were played: whole sentences, then of the sentence playing at the cut the share of its
 * text proportional to the share of its audio played (speech rate is roughly even within a sentence),
 * cut back to the last whole word so nothing half-heard is claimed. Sentences that produced no audio
 * were not heard.
 */
export function heardText(sentences: readonly PlayedSentence[], framesPlayed: number): HeardText {
  const parts: string[] = [];
  let before = 0;
  let complete = true;
  for (const sentence of sentences) {
    if (sentence.frames <= 0) continue;
    const played = framesPlayed - before;
    before += sentence.frames;
    if (played >= sentence.frames) {
      parts.push(sentence.text.trim());
      continue;
    }
    complete = false;
    if (played > 0) parts.push(wholeWordsOf(sentence.text.trim(), played / sentence.frames));
    break;
  }
  return { text: parts.filter(Boolean).join(' '), complete };
}

/** How many of a turn's frames were played, from the call-wide heard position of the pacer. */
export function framesPlayedOfTurn(turn: { readonly startFrame: number; readonly frames: number }, heardPosition: number): number {
  return Math.min(turn.frames, Math.max(0, heardPosition - turn.startFrame));
}

/** The first `fraction` of the text, ending on a word boundary (a word cut in the middle is left out). */
function wholeWordsOf(text: string, fraction: number): string {
  const cut = Math.floor(text.length * fraction);
  if (cut >= text.length) return text;
  if (/\s/.test(text[cut])) return text.slice(0, cut).trimEnd();
  const lastSpace = text.slice(0, cut).search(/\s\S*$/);
  return lastSpace < 0 ? '' : text.slice(0, lastSpace).trimEnd();
}
