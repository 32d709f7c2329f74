/**
 * The RTP payload formats the simulator plays and generates: G.711 μ-law (PCMU) and A-law (PCMA) at
 * 8 kHz, one byte per sample, and L16 (16-bit linear, network byte order as RFC 3551 defines it).
 * The ear needs two things from a codec: how many milliseconds a payload lasts, and whether it is
 * audible. G722, OPUS and AMR-WB cannot be timed without a decoder, so the simulator refuses them.
 */
export type SimCodecName = 'PCMU' | 'PCMA' | 'L16';
export const SUPPORTED_CODECS: readonly SimCodecName[] = ['PCMU', 'PCMA', 'L16'];

/** Narrowband telephony rate: what PCMU/PCMA always carry. */
export const G711_SAMPLE_RATE_HZ = 8000;

/**
 * Peak linear amplitude (of 32767) above which a frame counts as audible speech: about −50 dBFS.
 * Digital silence decodes to 0 (μ-law 0xFF) or ±8 (A-law 0xD5), and the quietest speech onsets of a
 * TTS voice sit well above 100, so the first audible frame is found within one frame of where a
 * listener would hear it.
 */
export const AUDIBLE_PEAK_THRESHOLD = 100;

export interface AudioCodec {
  readonly name: SimCodecName;
  readonly sampleRate: number;
  readonly bytesPerMs: number;
  /** One sample of digital silence, encoded (bytes per sample = bytesPerMs * 1000 / sampleRate). */
  readonly silence: Buffer;
  decode(payload: Buffer, sampleIndex: number): number;
  encode(sample: number): Buffer;
}

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

export function linearToUlaw(sample: number): number {
  let value = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (sign) value = -value;
  value = Math.min(value, ULAW_CLIP) + ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else if (segment === 1) t += 0x108;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

export function linearToAlaw(sample: number): number {
  let value = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (value < 0) {
    mask = 0x55;
    value = -value - 1;
  }
  const segment = ALAW_SEGMENT_ENDS.findIndex((end) => value <= end);
  if (segment < 0) return 0x7f ^ mask;
  const quantised = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | quantised) ^ mask;
}

const g711 = (name: 'PCMU' | 'PCMA', toLinear: (b: number) => number, fromLinear: (s: number) => number): AudioCodec => ({
  name,
  sampleRate: G711_SAMPLE_RATE_HZ,
  bytesPerMs: G711_SAMPLE_RATE_HZ / 1000,
  silence: Buffer.from([fromLinear(0)]),
  decode: (payload, i) => toLinear(payload[i]),
  encode: (sample) => Buffer.from([fromLinear(sample)]),
});

export const PCMU = g711('PCMU', ulawToLinear, linearToUlaw);
export const PCMA = g711('PCMA', alawToLinear, linearToAlaw);

export function l16(sampleRate: number): AudioCodec {
  return {
    name: 'L16',
    sampleRate,
    bytesPerMs: (sampleRate / 1000) * 2,
    silence: Buffer.alloc(2),
    decode: (payload, i) => payload.readInt16BE(i * 2),
    encode: (sample) => {
      const b = Buffer.alloc(2);
      b.writeInt16BE(Math.max(-32768, Math.min(32767, Math.round(sample))));
      return b;
    },
  };
}

/** The codec for a Telnyx codec name, or undefined when the simulator cannot time it. */
export function codecFor(name: string | undefined, sampleRate?: number): AudioCodec | undefined {
  switch (name ?? 'PCMU') {
    case 'PCMU':
      return PCMU;
    case 'PCMA':
      return PCMA;
    case 'L16':
      return l16(sampleRate ?? 16000);
    default:
      return undefined;
  }
}

export function samplesIn(payload: Buffer, codec: AudioCodec): number {
  return Math.floor((payload.length * codec.sampleRate) / 1000 / codec.bytesPerMs);
}

export function durationMs(payload: Buffer, codec: AudioCodec): number {
  return payload.length / codec.bytesPerMs;
}

export function peakAmplitude(payload: Buffer, codec: AudioCodec): number {
  let peak = 0;
  const n = samplesIn(payload, codec);
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(codec.decode(payload, i)));
  return peak;
}

export function isAudible(payload: Buffer, codec: AudioCodec): boolean {
  return peakAmplitude(payload, codec) > AUDIBLE_PEAK_THRESHOLD;
}

/** `durationMs` of audio from a per-sample generator (tests and the caller's line noise use it). */
export function synthesize(codec: AudioCodec, ms: number, sample: (i: number) => number): Buffer {
  const count = Math.round((codec.sampleRate * ms) / 1000);
  return Buffer.concat(Array.from({ length: count }, (_, i) => codec.encode(sample(i))));
}

export function silence(codec: AudioCodec, ms: number): Buffer {
  return synthesize(codec, ms, () => 0);
}

/** A sine tone, amplitude of 32767 (a stand-in for speech in tests). */
export function tone(codec: AudioCodec, ms: number, hz = 440, amplitude = 8000): Buffer {
  return synthesize(codec, ms, (i) => amplitude * Math.sin((2 * Math.PI * hz * i) / codec.sampleRate));
}
