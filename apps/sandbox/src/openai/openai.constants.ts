/**
 * Every default of the OpenAI-compatible simulator, with its unit and why. Wire shapes follow the
 * Chat Completions API reference and the official `openai` SDK's types (ChatCompletionChunk,
 * ChatCompletion, CompletionUsage), which our client parses.
 */

/**
 * Request → first content token. Small chat models answer in roughly 200-400 ms over the Internet;
 * 250 ms is a typical good day, so the LLM share of a turn is realistic without being pessimistic.
 */
export const DEFAULT_FIRST_TOKEN_LATENCY_MS = 250;

/** Streaming rate after the first token: ~40 tokens/s is typical of small hosted models. */
export const DEFAULT_TOKENS_PER_SECOND = 40;

/** OpenAI's rule of thumb: one token ≈ 4 characters of English. Words up to this many letters stay whole. */
export const CHARS_PER_TOKEN = 4;
export const MAX_WHOLE_WORD_LETTERS = 6;

/** Prompt accounting from OpenAI's token-counting guide: 3 tokens of framing per message, 3 to prime the reply. */
export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

/** The key the simulator accepts unless told otherwise (`Authorization: Bearer <key>`). */
export const DEFAULT_OPENAI_API_KEY = 'sk-sim-openai';

/** `retry-after` of a simulated 429, seconds: short, so a retrying client is exercised without stalling tests. */
export const DEFAULT_RETRY_AFTER_S = 1;

/** After this many content tokens a `cutStream` fault destroys the connection, unless told otherwise. */
export const DEFAULT_CUT_AFTER_TOKENS = 3;

/** Largest request body read (larger → 413); a long conversation is well under it. */
export const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
