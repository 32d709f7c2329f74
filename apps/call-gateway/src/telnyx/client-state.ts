import { z } from 'zod';

/**
 * What we ask Telnyx to carry on a call (`client_state`, base64, echoed on every later webhook of the
 * call). It is trusted only because it arrives inside a signed webhook. Two uses:
 * - a dialled call names its agent, so `call.initiated` / `call.answered` can set the call up even if
 *   they overtake the dial's own response;
 * - a refused call (no agent for the number) is marked, so its `call.answered` and `call.speak.ended`
 *   are recognised without keeping any state for it.
 */
const clientStateSchema = z.union([
  z.object({ agentId: z.string().min(1).max(64) }).strict(),
  z.object({ refused: z.literal(true) }).strict(),
]);
export type ClientState = z.output<typeof clientStateSchema>;

/** Telnyx caps client_state; ours stays far below. */
const MAX_CLIENT_STATE_CHARS = 4096;

export function encodeClientState(state: ClientState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64');
}

export function decodeClientState(value: unknown): ClientState | undefined {
  if (typeof value !== 'string' || value === '' || value.length > MAX_CLIENT_STATE_CHARS) return undefined;
  try {
    const parsed = clientStateSchema.safeParse(JSON.parse(Buffer.from(value, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const isRefused = (state: ClientState | undefined): boolean => state !== undefined && 'refused' in state;
export const agentIdOf = (state: ClientState | undefined): string | undefined => (state && 'agentId' in state ? state.agentId : undefined);
