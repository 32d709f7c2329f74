/**
 * LLM answer stream → speakable sentences for TTS.
 *
 *   delta ─▶ MarkdownSpeakable ─▶ SentenceSegmenter scan ─▶ sentences
 *            (markdown-line-start,  (boundary-rules: sentence ends, abbreviations;
 *             speakable-line-writer) clause-rules: the first piece's early cut;
 *                                    eager-rules: ends certain before the next delta)
 *
 * Every stage decides only on characters it has received and waits ("need-more") when the next
 * ones could change its answer, so the sentences do not depend on how the stream was split —
 * except where a delta ends right after a terminator that eager-rules confirms at once rather than
 * wait one token for the next delta (the `eagerEnds` option, on by default).
 */
export { DEFAULT_FIRST_CHUNK_MIN_CHARS, DEFAULT_MIN_SENTENCE_CHARS, SentenceSegmenter } from './sentence-segmenter';
export type { SentenceSegmenterOptions } from './sentence-segmenter';
export { MarkdownSpeakable } from './markdown-speakable';
export { speakable } from './speakable';
