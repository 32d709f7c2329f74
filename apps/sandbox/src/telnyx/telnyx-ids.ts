import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Identifiers shaped like Telnyx's: `call_control_id` is `v3:` followed by an opaque base64url token
 * (it contains a colon, so it must survive URL encoding), `call_leg_id` and `call_session_id` are UUIDs.
 */
const CALL_CONTROL_TOKEN_BYTES = 40;

export interface CallIds {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
}

export function newCallIds(): CallIds {
  return {
    callControlId: `v3:${randomBytes(CALL_CONTROL_TOKEN_BYTES).toString('base64url')}`,
    callLegId: randomUUID(),
    callSessionId: randomUUID(),
  };
}

export const newEventId = (): string => randomUUID();
export const newStreamId = (): string => randomUUID();
