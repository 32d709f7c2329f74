import { CHARS_PER_TOKEN, MAX_WHOLE_WORD_LETTERS } from './openai.constants';

/**
 * A stand-in for a BPE tokenizer, lossless (the tokens join back to the text): a token is a word with
 * its leading space (" hello"), one punctuation mark, or trailing whitespace; words longer than
 * MAX_WHOLE_WORD_LETTERS are cut into pieces of CHARS_PER_TOKEN letters (" inte", "rnat", "ional").
 * That averages the ~4 characters per token OpenAI quotes for English, and streams like a real model:
 * one short piece per chunk, words sometimes split across chunks.
 */
const PIECE = /\s*(?:[\p{L}\p{N}'’]+|[^\s\p{L}\p{N}'’])|\s+/gu;

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const piece of text.match(PIECE) ?? []) {
    const word = piece.trimStart();
    const space = piece.slice(0, piece.length - word.length);
    if (word.length <= MAX_WHOLE_WORD_LETTERS) {
      tokens.push(piece);
      continue;
    }
    tokens.push(space + word.slice(0, CHARS_PER_TOKEN));
    for (let i = CHARS_PER_TOKEN; i < word.length; i += CHARS_PER_TOKEN) tokens.push(word.slice(i, i + CHARS_PER_TOKEN));
  }
  return tokens;
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}
