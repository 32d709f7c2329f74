import { KeyObject, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

/** A fresh Ed25519 key pair, the public half as Telnyx's Mission Control shows it (base64 of 32 raw bytes). */
export function telnyxKeyPair(): { publicKeyBase64: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKeyBase64: raw.toString('base64'), privateKey };
}

export function signWebhook(privateKey: KeyObject, rawBody: string, timestampS = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = sign(null, Buffer.from(`${timestampS}|${rawBody}`), privateKey).toString('base64');
  return { 'content-type': 'application/json', 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': String(timestampS) };
}

export function telnyxEvent(eventType: string, payload: Record<string, unknown>, id: string = randomUUID()): string {
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: eventType,
      id,
      occurred_at: new Date().toISOString(),
      payload: {
        call_leg_id: 'leg-1',
        call_session_id: 'session-1',
        connection_id: 'conn-1',
        client_state: null,
        ...payload,
      },
    },
    meta: { attempt: 1, delivered_to: 'http://127.0.0.1/webhooks/telnyx' },
  });
}
