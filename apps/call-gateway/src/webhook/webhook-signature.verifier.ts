import { KeyObject, createPublicKey, verify } from 'node:crypto';
import { Clock } from '@app/clock';

/**
 * Telnyx signs `${telnyx-timestamp}|${rawBody}` with Ed25519. We verify against the raw bytes before any
 * parsing, with node:crypto directly rather than the SDK's `webhooks.unwrap`, because the SDK fixes the
 * replay window at 300 s and reads the wall clock itself; here both are configurable and injectable.
 */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_SIGNATURE_BYTES = 64;
const ED25519_KEY_BYTES = 32;

export type SignatureFailure = 'missing-signature' | 'missing-timestamp' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature';

export class WebhookSignatureError extends Error {
  constructor(readonly reason: SignatureFailure) {
    super(`webhook signature rejected: ${reason}`);
    this.name = 'WebhookSignatureError';
  }
}

export function publicKeyFromBase64(base64Key: string): KeyObject {
  const raw = Buffer.from(base64Key, 'base64');
  if (raw.length !== ED25519_KEY_BYTES) {
    throw new Error(`TELNYX_PUBLIC_KEY must be base64 of a 32-byte Ed25519 key, got ${raw.length} bytes`);
  }
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export class WebhookSignatureVerifier {
  private readonly key: KeyObject;

  constructor(
    publicKeyBase64: string,
    private readonly toleranceS: number,
    private readonly clock: Clock,
  ) {
    this.key = publicKeyFromBase64(publicKeyBase64);
  }

  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): void {
    const signature = single(headers['telnyx-signature-ed25519']);
    const timestamp = single(headers['telnyx-timestamp']);
    if (!signature) throw new WebhookSignatureError('missing-signature');
    if (!timestamp) throw new WebhookSignatureError('missing-timestamp');
    if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookSignatureError('bad-timestamp');
    const skewS = Math.abs(this.clock.epochNow() / 1000 - Number(timestamp));
    if (skewS > this.toleranceS) throw new WebhookSignatureError('stale-timestamp');
    const signatureBytes = Buffer.from(signature, 'base64');
    if (signatureBytes.length !== ED25519_SIGNATURE_BYTES) throw new WebhookSignatureError('bad-signature');
    const message = Buffer.concat([Buffer.from(`${timestamp}|`), rawBody]);
    if (!verify(null, message, this.key, signatureBytes)) throw new WebhookSignatureError('bad-signature');
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
