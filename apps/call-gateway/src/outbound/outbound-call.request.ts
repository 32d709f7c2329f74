import { z } from 'zod';

/** E.164: a plus, a non-zero country digit, up to 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;
/** A SIP URI destination (Telnyx dials those too). */
const SIP_URI = /^sips?:[^\s@]+@[^\s]+$/;

/** `POST /v1/calls` body: who to call, which number to show, which agent talks. Nothing else is accepted. */
export const outboundCallRequestSchema = z
  .object({
    to: z.string().max(256).refine((v) => E164.test(v) || SIP_URI.test(v), 'must be an E.164 number (+15551234567) or a SIP URI'),
    from: z.string().regex(E164, 'must be an E.164 number (+15551234567)'),
    agentId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an agent id'),
  })
  .strict();
export type OutboundCallRequest = z.output<typeof outboundCallRequestSchema>;

/** `Idempotency-Key`: a client's retry of the same request carries the same dial command_id. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

export type ParsedRequest = { ok: true; request: OutboundCallRequest } | { ok: false; reason: string };

export function parseOutboundCallRequest(raw: Buffer): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const parsed = outboundCallRequestSchema.safeParse(json);
  if (parsed.success) return { ok: true, request: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${issue.path.join('.') || '(body)'}: ${issue.message}` };
}
