/**
 * G.711 A-law (ITU-T G.711 §B, the European PCMA): a 13-bit linear sample, segment (0-7) and 4 bits of
 * mantissa, sign in bit 7 (1 = positive), and the even bits inverted (XOR 0x55). Negative values use
 * the one's complement (-x - 1), as the recommendation's decision levels do. Written from the
 * definition, on 16-bit input.
 */

/** Upper end of each segment in 13-bit magnitude: segment n covers up to 2^(n+5) - 1. */
const SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

/** Even-bit inversion applied to every A-law byte on the wire. */
const EVEN_BITS = 0x55;

export function linearToAlaw(sample: number): number {
  let value = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3; // 16 → 13 bits
  let signBit = 0x80;
  if (value < 0) {
    signBit = 0x00;
    value = -value - 1;
  }
  let segment = 0;
  while (segment < 8 && value > SEGMENT_ENDS[segment]) segment++;
  if (segment >= 8) return (0x7f | signBit) ^ EVEN_BITS; // saturate: segment 7, mantissa 15
  const mantissa = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | mantissa | signBit) ^ EVEN_BITS;
}

/** Decodes to 16-bit linear: the middle of the quantisation step, shifted up by 3. */
export function alawToLinear(byte: number): number {
  const a = byte ^ EVEN_BITS;
  const segment = (a >> 4) & 0x07;
  let t = (a & 0x0f) << 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

export function encodeAlaw(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToAlaw(samples[i]);
  return out;
}
