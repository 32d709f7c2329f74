import { MarkdownSpeakable } from './markdown-speakable';

/**
 * A whole, non-streamed text (greeting, apology, fixed prompt) made speakable: markdown dropped as in
 * the stream, line breaks and runs of spaces folded into single spaces. Numbers, symbols and
 * abbreviations are left to the TTS engine, which says them better than a rewrite here would.
 */
export function speakable(text: string): string {
  const markdown = new MarkdownSpeakable();
  return (markdown.push(text) + markdown.end()).replace(/\s+/g, ' ').trim();
}
