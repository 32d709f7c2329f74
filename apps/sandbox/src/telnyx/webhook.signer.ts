import { KeyObject, generateKeyPairSync, sign } from 'node:crypto';

/**
 * Telnyx signs every webhook with the account's Ed25519 key: header `telnyx-signature-ed25519` is the
 * base64 of the 64-byte signature over `${telnyx-timestamp}|${rawBody}`, `telnyx-timestamp` is Unix
 * seconds. The public key is shown in Mission Control as base64 of the raw 32-byte key, which is what
 * `publicKeyBase64` gives (the SDK's `publicKey` / TELNYX_PUBLIC_KEY takes exactly that).
 */
export const TELNYX_SIGNATURE_HEADER = 'telnyx-signature-ed25519';
export const TELNYX_TIMESTAMP_HEADER = 'telnyx-timestamp';

/** An Ed25519 SPKI DER is this 12-byte prefix followed by the raw 32-byte key. */
const ED25519_SPKI_PREFIX_BYTES = 12;

export interface SignedHeaders {
  [TELNYX_SIGNATURE_HEADER]: string;
  [TELNYX_TIMESTAMP_HEADER]: string;
}

export class WebhookSigner {
  readonly publicKeyBase64: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    this.publicKeyBase64 = spki.subarray(ED25519_SPKI_PREFIX_BYTES).toString('base64');
    this.privateKey = privateKey;
  }

  /** Headers for a body sent at `epochMs` (the timestamp is whole seconds, as Telnyx sends it). */
  sign(rawBody: string, epochMs: number): SignedHeaders {
    const timestamp = String(Math.floor(epochMs / 1000));
    const signature = sign(null, Buffer.from(`${timestamp}|${rawBody}`, 'utf8'), this.privateKey);
    return { [TELNYX_SIGNATURE_HEADER]: signature.toString('base64'), [TELNYX_TIMESTAMP_HEADER]: timestamp };
  }
}
