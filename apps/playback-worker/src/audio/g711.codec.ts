/**
 * G.711 μ-law (PCMU) and A-law (PCMA): 16-bit linear PCM ↔ 8-bit companded samples, the two codecs a
 * Telnyx bidirectional RTP stream carries. The per-sample algorithms are the classic Sun/CCITT reference
 * ones (the same as CPython's audioop, which the tests check against); they run once at module load to
 * fill lookup tables, so encoding is one array read per sample and decoding one per byte.
 */

export type CallCodec = 'PCMU' | 'PCMA';

/** The byte that decodes to silence (0 for μ-law, ±8 for A-law): what padding and gaps are made of. */
export const MULAW_SILENCE = 0xff;
export const ALAW_SILENCE = 0xd5;

const SIGN_BIT = 0x80;
const QUANT_MASK = 0x0f;
const SEG_SHIFT = 4;
const SEG_MASK = 0x70;
/** μ-law bias (0x84 = 132) and clip level on the 14-bit magnitude: the reference values of G.711. */
const ULAW_BIAS = 0x84;
const ULAW_CLIP = 8159;
/** Upper end of each segment, on the 14-bit (μ-law) and 13-bit (A-law) magnitudes. */
const ULAW_SEG_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ALAW_SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segmentOf(value: number, ends: readonly number[]): number {
  for (let seg = 0; seg < ends.length; seg++) if (value <= ends[seg]) return seg;
  return ends.length;
}

function linearToMulawReference(sample: number): number {
  let pcm = sample >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP;
  pcm += ULAW_BIAS >> 2;
  const seg = segmentOf(pcm, ULAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << SEG_SHIFT) | ((pcm >> (seg + 1)) & QUANT_MASK)) ^ mask;
}

function mulawToLinearReference(byte: number): number {
  const u = ~byte & 0xff;
  let t = ((u & QUANT_MASK) << 3) + ULAW_BIAS;
  t <<= (u & SEG_MASK) >> SEG_SHIFT;
  return u & SIGN_BIT ? ULAW_BIAS - t : t - ULAW_BIAS;
}

function linearToAlawReference(sample: number): number {
  let pcm = sample >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segmentOf(pcm, ALAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  const quant = seg < 2 ? (pcm >> 1) & QUANT_MASK : (pcm >> seg) & QUANT_MASK;
  return ((seg << SEG_SHIFT) | quant) ^ mask;
}

function alawToLinearReference(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & QUANT_MASK) << 4;
  const seg = (a & SEG_MASK) >> SEG_SHIFT;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & SIGN_BIT ? t : -t;
}

/** Encode tables are indexed by the sample's 16 bits as unsigned (`sample & 0xffff`): 64 KiB each. */
function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode((i << 16) >> 16);
  return table;
}
function buildDecodeTable(decode: (byte: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

export const MULAW_ENCODE_TABLE: Uint8Array = buildEncodeTable(linearToMulawReference);
export const ALAW_ENCODE_TABLE: Uint8Array = buildEncodeTable(linearToAlawReference);
export const MULAW_DECODE_TABLE: Int16Array = buildDecodeTable(mulawToLinearReference);
export const ALAW_DECODE_TABLE: Int16Array = buildDecodeTable(alawToLinearReference);

function buildTranscodeTable(decode: Int16Array, encode: Uint8Array): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) table[i] = encode[decode[i] & 0xffff];
  return table;
}
/** Byte → byte transcoding through linear PCM, for TTS output in the other law than the call's. */
export const MULAW_TO_ALAW_TABLE: Uint8Array = buildTranscodeTable(MULAW_DECODE_TABLE, ALAW_ENCODE_TABLE);
export const ALAW_TO_MULAW_TABLE: Uint8Array = buildTranscodeTable(ALAW_DECODE_TABLE, MULAW_ENCODE_TABLE);

export const encodeTableFor = (codec: CallCodec): Uint8Array =>
  codec === 'PCMU' ? MULAW_ENCODE_TABLE : ALAW_ENCODE_TABLE;
export const decodeTableFor = (codec: CallCodec): Int16Array =>
  codec === 'PCMU' ? MULAW_DECODE_TABLE : ALAW_DECODE_TABLE;
export const silenceByteFor = (codec: CallCodec): number => (codec === 'PCMU' ? MULAW_SILENCE : ALAW_SILENCE);

/** Linear PCM samples → G.711 bytes. */
export function encodeG711(codec: CallCodec, samples: Int16Array): Buffer {
  const table = encodeTableFor(codec);
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i] & 0xffff];
  return out;
}

/** G.711 bytes → linear PCM samples. */
export function decodeG711(codec: CallCodec, bytes: Uint8Array): Int16Array {
  const table = decodeTableFor(codec);
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]];
  return out;
}

/** Maps every byte through a 256-entry table (law-to-law transcoding). */
export function mapBytes(bytes: Uint8Array, table: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]];
  return out;
}
