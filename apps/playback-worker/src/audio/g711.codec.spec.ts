import {
  ALAW_DECODE_TABLE,
  ALAW_ENCODE_TABLE,
  ALAW_SILENCE,
  ALAW_TO_MULAW_TABLE,
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  MULAW_SILENCE,
  MULAW_TO_ALAW_TABLE,
  decodeG711,
  encodeG711,
  silenceByteFor,
} from './g711.codec';

/**
 * Reference points produced with CPython's audioop (lin2ulaw / lin2alaw / ulaw2lin / alaw2lin), an
 * independent implementation of the CCITT G.711 reference code.
 */
const SAMPLES = [
  0, 1, -1, 2, -2, 7, 8, -8, 31, 32, 33, 100, -100, 1000, -1000, 4095, 4096, -4096, 8158, 8159, 8160, 16383,
  16384, -16384, 32000, 32124, 32767, -32767, -32768, 12345, -12345,
];
const SAMPLES_MULAW = [
  255, 255, 126, 255, 126, 254, 254, 126, 251, 251, 251, 242, 114, 206, 78, 175, 175, 47, 159, 159, 159, 143, 143,
  15, 128, 128, 128, 0, 0, 151, 23,
];
const SAMPLES_ALAW = [
  213, 213, 85, 213, 85, 213, 213, 85, 212, 215, 215, 211, 83, 250, 122, 154, 133, 26, 138, 138, 138, 186, 165, 58,
  170, 170, 170, 42, 42, 189, 61,
];
const BYTES = [0x00, 0x01, 0x0f, 0x10, 0x7e, 0x7f, 0x80, 0x81, 0xf0, 0xfe, 0xff, 0x55, 0xd5, 0x2a, 0xaa, 0x3c, 0xbc];
const BYTES_MULAW_LINEAR = [
  -32124, -31100, -16764, -15996, -8, 0, 32124, 31100, 120, 8, 0, -716, 716, -5372, 5372, -2364, 2364,
];
const BYTES_ALAW_LINEAR = [
  -5504, -5248, -6784, -2752, -880, -848, 5504, 5248, 688, 880, 848, -8, 8, -32256, 32256, -13056, 13056,
];

const sum = (values: ArrayLike<number>, f: (v: number) => number = (v) => v): number => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += f(values[i]);
  return total;
};

describe('G.711 codec', () => {
  it('encodes the reference samples like the reference implementation', () => {
    const pcm = Int16Array.from(SAMPLES);
    expect([...encodeG711('PCMU', pcm)]).toEqual(SAMPLES_MULAW);
    expect([...encodeG711('PCMA', pcm)]).toEqual(SAMPLES_ALAW);
  });

  it('decodes the reference bytes like the reference implementation', () => {
    const bytes = Uint8Array.from(BYTES);
    expect([...decodeG711('PCMU', bytes)]).toEqual(BYTES_MULAW_LINEAR);
    expect([...decodeG711('PCMA', bytes)]).toEqual(BYTES_ALAW_LINEAR);
  });

  it('matches the reference over every one of the 65,536 inputs and 256 codes (table checksums)', () => {
    // Sums of audioop.lin2ulaw / lin2alaw over -32768..32767, and of |ulaw2lin| / |alaw2lin| over 0..255.
    expect(sum(MULAW_ENCODE_TABLE)).toBe(5694092);
    expect(sum(ALAW_ENCODE_TABLE)).toBe(6971392);
    expect(sum(MULAW_DECODE_TABLE, Math.abs)).toBe(1532928);
    expect(sum(ALAW_DECODE_TABLE, Math.abs)).toBe(1564672);
    expect(sum(MULAW_DECODE_TABLE)).toBe(0);
  });

  it('has silence bytes that decode to (near) zero', () => {
    expect(MULAW_DECODE_TABLE[MULAW_SILENCE]).toBe(0);
    expect(Math.abs(ALAW_DECODE_TABLE[ALAW_SILENCE])).toBe(8);
    expect(silenceByteFor('PCMU')).toBe(0xff);
    expect(silenceByteFor('PCMA')).toBe(0xd5);
  });

  it.each(['PCMU', 'PCMA'] as const)('%s: every code survives decode → encode (except μ-law negative zero)', (codec) => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const again = encodeG711(codec, decodeG711(codec, codes));
    const changed = [...codes].filter((code) => again[code] !== code);
    expect(changed).toEqual(codec === 'PCMU' ? [0x7f] : []); // 0x7f decodes to 0, which encodes as 0xff
  });

  it.each(['PCMU', 'PCMA'] as const)('%s: linear → code → linear stays within one quantisation step', (codec) => {
    const decode = codec === 'PCMU' ? MULAW_DECODE_TABLE : ALAW_DECODE_TABLE;
    const encode = codec === 'PCMU' ? MULAW_ENCODE_TABLE : ALAW_ENCODE_TABLE;
    const outOfStep: number[] = [];
    for (let s = -32000; s <= 32000; s++) {
      const back = decode[encode[s & 0xffff]];
      // The step grows with the segment: at most 1/16 of the magnitude, plus the smallest step.
      if (Math.abs(back - s) > Math.abs(s) / 16 + 16 || Math.sign(back) * Math.sign(s) === -1) outOfStep.push(s);
    }
    expect(outOfStep).toEqual([]);
  });

  it('transcodes between the laws through linear PCM', () => {
    for (let code = 0; code < 256; code++) {
      expect(ALAW_ENCODE_TABLE[MULAW_DECODE_TABLE[code] & 0xffff]).toBe(MULAW_TO_ALAW_TABLE[code]);
      expect(MULAW_ENCODE_TABLE[ALAW_DECODE_TABLE[code] & 0xffff]).toBe(ALAW_TO_MULAW_TABLE[code]);
    }
    expect(MULAW_TO_ALAW_TABLE[MULAW_SILENCE]).toBe(ALAW_SILENCE);
    expect(ALAW_TO_MULAW_TABLE[ALAW_SILENCE]).toBe(MULAW_SILENCE - 1); // +8 is one step above zero in μ-law
  });
});
