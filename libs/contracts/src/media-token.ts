import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in the media `stream_url`: the gateway signs the call id with a shared secret and the
 * playback-worker accepts a Telnyx media connection only for the call the token was made for, so a
 * stranger who learns the URL shape cannot attach to (or listen to) somebody's call.
 */
export function signMediaToken(callId: string, secret: string): string {
  return createHmac('sha256', secret).update(`media:${callId}`).digest('base64url');
}

export function verifyMediaToken(callId: string, token: string | undefined | null, secret: string): boolean {
  if (!token) return false;
  const expected = Buffer.from(signMediaToken(callId, secret));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
