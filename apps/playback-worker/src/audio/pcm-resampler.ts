import { ResamplerKernel, resamplerKernel } from './resampler-kernel';

/** What a phone call carries: G.711 at 8 kHz. */
export const CALL_SAMPLE_RATE_HZ = 8000;

const INT16_MIN = -32768;
const INT16_MAX = 32767;
const EMPTY = new Int16Array(0);

/**
 * Streaming PCM16 resampler (e.g. 16 / 22.05 / 24 kHz → 8 kHz) whose output does not depend on how the
 * input was cut into chunks: the filter's history (the last K input samples) and the exact fractional
 * position of the next output are carried from one `process` call to the next, so chunk boundaries add
 * no click, gap or phase jump. Output n is the band-limited value at input time n·in/out (zero phase),
 * which needs K/2 input samples after it: those outputs wait for the next chunk, or for `flush()` at
 * the end of a stream, which pads with silence. The stream starts from silent history.
 */
export class PcmResampler {
  private readonly kernel: ResamplerKernel;
  private readonly halfTaps: number;
  /** Input samples still needed (history and look-ahead); index 0 is what `position` is relative to. */
  private history: Int16Array = EMPTY;
  /** Position of the next output sample, in 1/L input samples from `history[0]`. */
  private position = 0;

  constructor(
    readonly inRateHz: number,
    readonly outRateHz = CALL_SAMPLE_RATE_HZ,
  ) {
    this.kernel = resamplerKernel(inRateHz, outRateHz);
    this.halfTaps = this.kernel.taps / 2;
    this.reset();
  }

  /** Resamples the next input chunk; returns every output sample whose filter window is now complete. */
  process(input: Int16Array): Int16Array {
    const work = this.append(input);
    return this.run(work, work.length - this.halfTaps);
  }

  /** Ends the stream: emits the outputs still waiting for look-ahead (padded with silence), then resets. */
  flush(): Int16Array {
    const realEnd = this.history.length; // samples that exist; outputs at or after it are beyond the stream
    const work = this.append(new Int16Array(this.halfTaps));
    const out = this.run(work, realEnd);
    this.reset();
    return out;
  }

  /** Forgets the stream (barge-in, new sentence): the next input starts from silent history. */
  reset(): void {
    const { upFactor } = this.kernel;
    // Pre-roll of K/2 − 1 zeros: the first output (input time 0) has its whole window available.
    this.history = new Int16Array(this.halfTaps - 1);
    this.position = (this.halfTaps - 1) * upFactor;
  }

  private append(input: Int16Array): Int16Array {
    if (input.length === 0) return this.history;
    const work = new Int16Array(this.history.length + input.length);
    work.set(this.history, 0);
    work.set(input, this.history.length);
    return work;
  }

  /**
   * Emits outputs whose centre sample index is below `centreLimit` and whose window fits in `work`,
   * then keeps only the samples later outputs still need.
   */
  private run(work: Int16Array, centreLimit: number): Int16Array {
    const { upFactor: L, downFactor: M, taps: K, coefficients } = this.kernel;
    const lastCentre = Math.min(centreLimit, work.length - this.halfTaps) - 1;
    const firstCentre = Math.floor(this.position / L);
    // Outputs n = 0.. with centre floor((position + n·M) / L) ≤ lastCentre.
    const count = lastCentre < firstCentre ? 0 : Math.floor(((lastCentre + 1) * L - 1 - this.position) / M) + 1;
    const out = count > 0 ? new Int16Array(count) : EMPTY;
    let pos = this.position;
    for (let n = 0; n < count; n++) {
      const centre = Math.floor(pos / L);
      const phaseBase = (pos - centre * L) * K;
      const start = centre - this.halfTaps + 1;
      let acc = 0;
      for (let k = 0; k < K; k++) acc += coefficients[phaseBase + k] * work[start + k];
      const rounded = Math.round(acc);
      out[n] = rounded > INT16_MAX ? INT16_MAX : rounded < INT16_MIN ? INT16_MIN : rounded;
      pos += M;
    }
    // Drop the samples no later output can reach (its window starts at centre − K/2 + 1).
    const keepFrom = Math.max(0, Math.min(work.length, Math.floor(pos / L) - this.halfTaps + 1));
    this.history = keepFrom === 0 ? work : work.slice(keepFrom);
    this.position = pos - keepFrom * L;
    return out;
  }
}
