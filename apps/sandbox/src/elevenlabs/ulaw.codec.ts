/**
 * G.711 μ-law (ITU-T G.711 §A, the North American PCMU): a 14-bit linear sample is biased by 33,
 * its segment (the position of the leading 1, 0-7) and the 4 bits after it are kept, sign in bit 7,
 * and the whole byte is inverted. Written from the recommendation's definition, on 16-bit input.
 */

/** G.711 adds 33 to the 14-bit magnitude so every segment starts on a power of two. */
const BIAS_14BIT = 33;
/** Largest 14-bit magnitude before the bias: 8191 - 33, so that the biased value still fits 13 bits
 * (the top code, segment 7 / step 15, is where G.711 saturates anyway). */
const CLIP_14BIT = 8158;

export function linearToUlaw(sample: number): number {
  let value = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 2; // 16 → 14 bits
  const sign = value < 0 ? 0x80 : 0x00;
  if (value < 0) value = -value; // μ-law is sign-magnitude and symmetric
  value = Math.min(value, CLIP_14BIT) + BIAS_14BIT;
  let segment = 0;
  while (segment < 7 && value >= 0x40 << segment) segment++;
  const mantissa = (value >> (segment + 1)) & 0x0f;
  return ~(sign | (segment << 4) | mantissa) & 0xff;
}

/** Decodes to 16-bit linear (the 14-bit value shifted up by 2), the inverse used by tests and ears. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const segment = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 1) | 0x21) << segment) - BIAS_14BIT;
  return (u & 0x80 ? -magnitude : magnitude) * 4;
}

export function encodeUlaw(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToUlaw(samples[i]);
  return out;
}
