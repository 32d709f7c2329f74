/**
 * Polyphase low-pass kernels for rational downsampling (inRate → outRate = L/M of it). Output sample n
 * sits at input time n·M/L; its fractional part is always a multiple of 1/L, so L precomputed phases of
 * K taps each cover every output exactly: no interpolation of the kernel, no trigonometry per sample.
 */

/**
 * Cutoff (the −6 dB point) as a fraction of the output Nyquist (4 kHz at 8 kHz): 0.9 → 3.6 kHz. With
 * ZERO_CROSSINGS below this measures −0.3 dB at 3 kHz and −3 dB at 3.4 kHz (the top of the telephone
 * band), while a tone at 4.6 kHz, which would fold onto 3.4 kHz, is 60 dB down.
 */
const CUTOFF_FRACTION = 0.9;
/**
 * Zero crossings of the sinc kept on each side: 8 makes the 3.6 → 4.6 kHz transition steep enough that
 * anything folding into the band is ≥ 60 dB down, under G.711's own quantisation noise (~38 dB SNR).
 * That is 54 taps at 24 kHz: about 0.6 ms of one core per call-second (plain node), so even 500 calls
 * of PCM (ElevenLabs sends ulaw_8000 natively, which skips all this) stay well inside one core.
 */
const ZERO_CROSSINGS = 8;
/** Kaiser window shape: β = 6 keeps the side lobes near −45 dB without widening the main lobe much. */
const KAISER_BETA = 6;
/** Beyond this many phases the tables stop being small (44.1 → 8 kHz needs 80; 22.05 → 8 kHz 160). */
const MAX_PHASES = 1000;

export interface ResamplerKernel {
  readonly inRateHz: number;
  readonly outRateHz: number;
  /** Output step in 1/L input samples: output n sits at input position n·M/L. */
  readonly upFactor: number; // L
  readonly downFactor: number; // M
  readonly taps: number; // K (even)
  /** phase p's K taps at [p·K, (p+1)·K): tap k weighs input sample floor(t) − K/2 + 1 + k. */
  readonly coefficients: Float64Array;
}

const kernels = new Map<string, ResamplerKernel>();

/** The kernel for this rate pair, designed once per process and shared by every call. */
export function resamplerKernel(inRateHz: number, outRateHz: number): ResamplerKernel {
  const key = `${inRateHz}>${outRateHz}`;
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = designKernel(inRateHz, outRateHz);
    kernels.set(key, kernel);
  }
  return kernel;
}

function designKernel(inRateHz: number, outRateHz: number): ResamplerKernel {
  if (!Number.isInteger(inRateHz) || !Number.isInteger(outRateHz) || inRateHz <= 0 || outRateHz <= 0) {
    throw new RangeError(`sample rates must be positive integers, got ${inRateHz} → ${outRateHz}`);
  }
  const g = gcd(inRateHz, outRateHz);
  const upFactor = outRateHz / g;
  const downFactor = inRateHz / g;
  if (upFactor > MAX_PHASES) throw new RangeError(`resampling ${inRateHz} → ${outRateHz} needs ${upFactor} phases`);
  // Cutoff in cycles per input sample, below both Nyquists.
  const cutoff = (CUTOFF_FRACTION * Math.min(inRateHz, outRateHz)) / 2 / inRateHz;
  const halfWidth = ZERO_CROSSINGS / (2 * cutoff); // in input samples
  const taps = 2 * Math.ceil(halfWidth);
  const coefficients = new Float64Array(upFactor * taps);
  const i0Beta = besselI0(KAISER_BETA);
  for (let p = 0; p < upFactor; p++) {
    const frac = p / upFactor;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const x = frac + taps / 2 - 1 - k; // distance from the output instant to this tap's sample
      const r = x / halfWidth;
      const window = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta;
      const w = 2 * cutoff * sinc(2 * cutoff * x) * window;
      coefficients[p * taps + k] = w;
      sum += w;
    }
    // Unity gain at DC for every phase, so a constant input stays exactly constant (no phase ripple).
    for (let k = 0; k < taps; k++) coefficients[p * taps + k] /= sum;
  }
  return { inRateHz, outRateHz, upFactor, downFactor, taps, coefficients };
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 10). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
