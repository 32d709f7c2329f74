import { PcmResampler } from './pcm-resampler';

const OUT_RATE = 8000;
const AMPLITUDE = 12000;

function sine(rateHz: number, freqHz: number, seconds: number, amplitude = AMPLITUDE): Int16Array {
  const n = Math.round(rateHz * seconds);
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / rateHz)));
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic chunk sizes (odd ones, tiny ones, large ones) from a small LCG. */
function splitSizes(total: number, seed: number): number[] {
  const sizes: number[] = [];
  let state = seed;
  for (let used = 0; used < total; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = Math.min(total - used, [1, 2, 3, 7, 160, 441, 997][state % 7]);
    sizes.push(size);
    used += size;
  }
  return sizes;
}

function resampleInChunks(rate: number, input: Int16Array, sizes: number[]): Int16Array {
  const resampler = new PcmResampler(rate);
  const parts: Int16Array[] = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(resampler.process(input.subarray(at, at + size)));
    at += size;
  }
  parts.push(resampler.flush());
  return concat(parts);
}

const rms = (x: ArrayLike<number>, from = 0, to = x.length): number => {
  let acc = 0;
  for (let i = from; i < to; i++) acc += x[i] * x[i];
  return Math.sqrt(acc / (to - from));
};

describe('PcmResampler', () => {
  it.each([16000, 22050, 24000])('%i Hz: the output does not depend on how the input was chunked', (rate) => {
    const input = sine(rate, 1000, 0.5);
    const whole = resampleInChunks(rate, input, [input.length]);
    for (const seed of [1, 2, 3]) {
      expect(resampleInChunks(rate, input, splitSizes(input.length, seed))).toEqual(whole);
    }
    expect(whole.length).toBe(Math.ceil((input.length * OUT_RATE) / rate));
  });

  it.each([16000, 22050, 24000])('%i Hz: a 1 kHz sine comes out as the same sine, with no click at any chunk edge', (rate) => {
    const input = sine(rate, 1000, 0.5);
    const out = resampleInChunks(rate, input, splitSizes(input.length, 7));
    const ideal = sine(OUT_RATE, 1000, 0.5);
    // Away from the stream's two ends (where silence borders the signal), sample by sample:
    let maxError = 0;
    for (let n = 20; n < out.length - 20; n++) maxError = Math.max(maxError, Math.abs(out[n] - ideal[n]));
    expect(maxError).toBeLessThan(AMPLITUDE * 0.01);
    // The biggest step between neighbours is the sine's own (2·sin(π·f/fs)·A), never a jump.
    let maxStep = 0;
    for (let n = 1; n < out.length; n++) maxStep = Math.max(maxStep, Math.abs(out[n] - out[n - 1]));
    expect(maxStep).toBeLessThanOrEqual(2 * Math.sin(Math.PI / 8) * AMPLITUDE * 1.01);
  });

  it.each([16000, 22050, 24000])('%i Hz: tones above 4 kHz are filtered out, not folded into the band', (rate) => {
    const input = sine(rate, 5500, 0.5);
    const out = resampleInChunks(rate, input, [input.length]);
    expect(rms(out, 40, out.length - 40)).toBeLessThan(rms(input) * 0.001); // at least 60 dB down
  });

  it('keeps a constant level exactly constant (unity gain at DC on every phase)', () => {
    const input = new Int16Array(22050).fill(1000);
    const out = resampleInChunks(22050, input, splitSizes(input.length, 5));
    expect(new Set(out.subarray(20, out.length - 20))).toEqual(new Set([1000]));
  });

  it('reset() forgets the previous stream: the next one starts from silence', () => {
    const resampler = new PcmResampler(24000);
    resampler.process(sine(24000, 700, 0.1));
    resampler.reset();
    const next = sine(24000, 300, 0.1);
    const fresh = new PcmResampler(24000);
    expect(concat([resampler.process(next), resampler.flush()])).toEqual(concat([fresh.process(next), fresh.flush()]));
  });

  it('emits nothing for an empty stream, and flush leaves a clean state', () => {
    const resampler = new PcmResampler(16000);
    expect(resampler.process(new Int16Array(0)).length).toBe(0);
    expect(resampler.flush().length).toBe(0);
    const once = concat([resampler.process(sine(16000, 440, 0.05)), resampler.flush()]);
    const twice = concat([resampler.process(sine(16000, 440, 0.05)), resampler.flush()]);
    expect(twice).toEqual(once);
  });
});
