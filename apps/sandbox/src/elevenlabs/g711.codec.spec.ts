import { alawToLinear, linearToAlaw } from './alaw.codec';
import { linearToUlaw, ulawToLinear } from './ulaw.codec';

/** Reference points of G.711 (Tables 1a/2a), as every conforming codec produces them. */
describe('G.711 codecs', () => {
  it('μ-law: silence is 0xFF, the extremes are 0x80 / 0x00, and the code decodes to the table values', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    // Segment 0, step 1 of 14-bit: decision value 1..2 → reconstructs as 2 (×4 in 16-bit).
    expect(ulawToLinear(0xfe)).toBe(8);
  });

  it('A-law: the even-bit inversion puts +0 at 0xD5 and -0 at 0x55; the extremes decode to ±32256', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
  });

  it.each([
    ['μ-law', linearToUlaw, ulawToLinear],
    ['A-law', linearToAlaw, alawToLinear],
  ])('%s round-trips every 16-bit value within half a quantisation step', (_name, encode, decode) => {
    let previous = -Infinity;
    for (let x = -32768; x <= 32767; x += 7) {
      const y = decode(encode(x));
      // Logarithmic: the step is ~1/16 of the segment, so the error is within ~1/32 of |x| (+ the smallest step).
      expect(Math.abs(y - x)).toBeLessThanOrEqual(Math.abs(x) / 16 + 64);
      expect(y).toBeGreaterThanOrEqual(previous); // monotonic
      previous = y;
    }
  });

  it('every byte decodes and re-encodes to itself (except μ-law negative zero, 0x7F, which reads as +0)', () => {
    for (let byte = 0; byte < 256; byte++) {
      expect(linearToAlaw(alawToLinear(byte))).toBe(byte);
      if (byte !== 0x7f) expect(linearToUlaw(ulawToLinear(byte))).toBe(byte);
    }
  });
});
