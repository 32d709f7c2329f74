import { generateKeyPairSync, sign } from 'node:crypto';
import { FakeClock } from '@app/clock';
import { WebhookSignatureError, WebhookSignatureVerifier } from './webhook-signature.verifier';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKeyBase64: raw.toString('base64'), privateKey };
}

describe('WebhookSignatureVerifier', () => {
  const { publicKeyBase64, privateKey } = keyPair();
  const clock = new FakeClock(0, 1_750_000_000_000);
  const nowS = Math.floor(clock.epochNow() / 1000);
  const body = Buffer.from('{"data":{"event_type":"call.answered"}}');
  const signed = (ts: number, payload: Buffer = body) =>
    sign(null, Buffer.concat([Buffer.from(`${ts}|`), payload]), privateKey).toString('base64');
  const verifier = new WebhookSignatureVerifier(publicKeyBase64, 300, clock);

  const reasonOf = (fn: () => void): string => {
    try {
      fn();
      return 'accepted';
    } catch (error) {
      return (error as WebhookSignatureError).reason;
    }
  };

  it('accepts a body signed as Telnyx signs it: `${timestamp}|${rawBody}`', () => {
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-signature-ed25519': signed(nowS), 'telnyx-timestamp': String(nowS) }))).toBe('accepted');
  });

  it('rejects a tampered body, a foreign key, a missing or stale header', () => {
    const headers = { 'telnyx-signature-ed25519': signed(nowS), 'telnyx-timestamp': String(nowS) };
    expect(reasonOf(() => verifier.verify(Buffer.from(body.toString().replace('answered', 'hangup')), headers))).toBe('bad-signature');
    const other = keyPair();
    expect(reasonOf(() => new WebhookSignatureVerifier(other.publicKeyBase64, 300, clock).verify(body, headers))).toBe('bad-signature');
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-timestamp': String(nowS) }))).toBe('missing-signature');
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-signature-ed25519': signed(nowS) }))).toBe('missing-timestamp');
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-signature-ed25519': signed(nowS), 'telnyx-timestamp': 'soon' }))).toBe('bad-timestamp');
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-signature-ed25519': 'AAAA', 'telnyx-timestamp': String(nowS) }))).toBe('bad-signature');
  });

  it('enforces the replay window in both directions, with the configured tolerance', () => {
    const old = nowS - 301;
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-signature-ed25519': signed(old), 'telnyx-timestamp': String(old) }))).toBe('stale-timestamp');
    const future = nowS + 301;
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-signature-ed25519': signed(future), 'telnyx-timestamp': String(future) }))).toBe('stale-timestamp');
    const edge = nowS - 299;
    expect(reasonOf(() => verifier.verify(body, { 'telnyx-signature-ed25519': signed(edge), 'telnyx-timestamp': String(edge) }))).toBe('accepted');
    const strict = new WebhookSignatureVerifier(publicKeyBase64, 10, clock);
    expect(reasonOf(() => strict.verify(body, { 'telnyx-signature-ed25519': signed(nowS - 11), 'telnyx-timestamp': String(nowS - 11) }))).toBe('stale-timestamp');
  });

  it('refuses a public key that is not 32 raw bytes', () => {
    expect(() => new WebhookSignatureVerifier(Buffer.alloc(16).toString('base64'), 300, clock)).toThrow(/32-byte/);
  });
});
