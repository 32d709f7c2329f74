/**
 * A voiced, speech-like signal: a glottal-ish harmonic stack on a low fundamental with a slow vibrato,
 * an amplitude envelope at the syllable rate, and a little breath noise. It is never silent (the
 * envelope floor keeps every 20 ms frame well above any "audible" threshold an ear might use), and
 * deterministic for a given seed so tests and runs can be compared byte for byte.
 */

/** Fundamental of an average adult voice, Hz; the seed moves it by up to +FUNDAMENTAL_SPREAD_HZ. */
const BASE_FUNDAMENTAL_HZ = 110;
const FUNDAMENTAL_SPREAD_HZ = 60;
/** Harmonics 1..N with amplitude 1/h: a buzzy, voice-like spectrum that survives G.711's 4 kHz band. */
const HARMONICS = 6;
/** Vibrato: ±3 % of the fundamental at 5 Hz, roughly natural pitch movement. */
const VIBRATO_DEPTH = 0.03;
const VIBRATO_HZ = 5;
/** Syllables: ~4 per second in conversational speech. */
const SYLLABLE_HZ = 4;
/** Envelope floor: quietest moment is 35 % of the peak, so no frame reads as silence. */
const ENVELOPE_FLOOR = 0.35;
/** Peak level: about -7 dBFS, loud and clear without clipping after the noise is added. */
const PEAK_LEVEL = 0.45 * 32767;
/** Breath noise relative to the peak. */
const NOISE_LEVEL = 0.03;

/** Harmonic sum of 1/h peaks at about this much; dividing by it keeps the stack within ±1. */
const HARMONIC_NORM = (() => {
  let sum = 0;
  for (let h = 1; h <= HARMONICS; h++) sum += 1 / h;
  return sum;
})();

/** FNV-1a over the text: the seed that makes each sentence sound (and encode) its own way. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Integer hash of (seed, sample index) → [-1, 1): noise that any range can compute on its own. */
function noiseAt(seed: number, index: number): number {
  let h = Math.imul(seed ^ index, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  return (h / 0x100000000) * 2 - 1;
}

/**
 * Samples [startSample, startSample + count) of the signal. The phase is the closed-form integral of
 * the vibrato'd frequency, so any range can be rendered on its own and consecutive ranges join
 * seamlessly: a generation is rendered chunk by chunk as it is sent, never all at once.
 */
export function voicedTone(sampleRate: number, seed: number, startSample: number, count: number): Int16Array {
  const out = new Int16Array(Math.max(0, count));
  const f0 = BASE_FUNDAMENTAL_HZ + (seed % FUNDAMENTAL_SPREAD_HZ);
  const syllablePhase = ((seed >>> 8) % 1000) / 1000;
  const vibratoAmplitude = VIBRATO_DEPTH / (2 * Math.PI * VIBRATO_HZ);
  for (let i = 0; i < out.length; i++) {
    const n = startSample + i;
    const t = n / sampleRate;
    // ∫ 2π f0 (1 + d sin(2π v t)) dt = 2π f0 (t - d/(2π v) cos(2π v t))
    const phase = 2 * Math.PI * f0 * (t - vibratoAmplitude * Math.cos(2 * Math.PI * VIBRATO_HZ * t));
    let voiced = 0;
    for (let h = 1; h <= HARMONICS; h++) voiced += Math.sin(h * phase) / h;
    const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * (SYLLABLE_HZ * t + syllablePhase));
    const envelope = ENVELOPE_FLOOR + (1 - ENVELOPE_FLOOR) * syllable;
    const value = (voiced / HARMONIC_NORM) * envelope * (1 - NOISE_LEVEL) + noiseAt(seed, n) * NOISE_LEVEL;
    out[i] = Math.round(value * PEAK_LEVEL);
  }
  return out;
}
