import { z } from 'zod';

/**
 * Field parsers for flat stream entries. Redis stores every field as a string; these turn the strings
 * back into typed values and reject anything else, so a consumer never sees a half-valid message.
 */
const ID_PATTERN = /^[A-Za-z0-9:_\-.+=/]{1,200}$/;

/** An identifier (call id, turn id, event id): printable, no spaces, bounded. */
export const id = () => z.string().regex(ID_PATTERN, 'must be an id of 1-200 characters [A-Za-z0-9:_-.+=/]');

/** A non-negative integer sent as decimal text. */
export const int = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : /^\d{1,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative integer' });
      return z.NEVER;
    }
    return n;
  });

/** A millisecond timestamp (epoch or monotonic), may carry a fraction. */
export const millis = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : /^\d{1,16}(\.\d{1,6})?$/.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative number of milliseconds' });
      return z.NEVER;
    }
    return n;
  });

/** A boolean written as '1' / '0'. */
export const flag = () =>
  z.union([z.boolean(), z.enum(['1', '0', 'true', 'false'])]).transform((v) => v === true || v === '1' || v === 'true');

/** Free text (transcripts, sentences) with a size bound that keeps one entry small. */
export const text = (max = 8000) => z.string().max(max);

/** Base64 audio payload. */
export const base64 = () =>
  z
    .string()
    .min(1)
    .max(4 * 1024 * 1024)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
