/**
 * Valid MPEG audio Layer III frames (ISO/IEC 11172-3, 13818-3) for the `mp3_*` output formats. The
 * simulator has no MP3 encoder, so the frames carry silence: every header is correct (sync, version,
 * layer, bitrate, sample rate, padding to the exact average bitrate, mono) and the side information
 * and main data are zero, which decoders play as silence. Durations and byte rates are exact, so a
 * client's pacing and parsing are exercised; loudness is not. Use ulaw/alaw/pcm for audible audio.
 */

/** Layer III bitrate indices (kbps), MPEG-1 and MPEG-2 (LSF). */
const MPEG1_BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_BITRATES = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MPEG1_RATES = [44100, 48000, 32000];
const MPEG2_RATES = [22050, 24000, 16000];
/** Samples per Layer III frame: 1152 (MPEG-1), 576 (MPEG-2). */
const MPEG1_SAMPLES_PER_FRAME = 1152;
const MPEG2_SAMPLES_PER_FRAME = 576;

export interface Mp3FrameSource {
  frameDurationMs: number;
  /** Frames [from, to) concatenated; frame i is the same bytes whichever range asks for it. */
  frames(from: number, to: number): Buffer;
  /** Total bytes of frames [0, count). */
  bytesBefore(count: number): number;
}

export function mp3Frames(sampleRate: number, bitrateKbps: number): Mp3FrameSource {
  const mpeg1 = MPEG1_RATES.includes(sampleRate);
  const rateIndex = (mpeg1 ? MPEG1_RATES : MPEG2_RATES).indexOf(sampleRate);
  const bitrateIndex = (mpeg1 ? MPEG1_BITRATES : MPEG2_BITRATES).indexOf(bitrateKbps);
  if (rateIndex < 0 || bitrateIndex <= 0) throw new Error(`no MPEG Layer III frame for ${sampleRate} Hz at ${bitrateKbps} kbps`);
  // Frame bytes = coefficient * bitrate / sampleRate, one padding byte whenever the running total
  // falls a byte behind the exact bitrate: 144 for MPEG-1, 72 for MPEG-2 (Layer III).
  const numerator = (mpeg1 ? 144 : 72) * bitrateKbps * 1000;
  const bytesBefore = (count: number) => Math.floor((count * numerator) / sampleRate);
  const frame = (i: number): Buffer => {
    const size = bytesBefore(i + 1) - bytesBefore(i);
    const padding = size - Math.floor(numerator / sampleRate);
    const out = Buffer.alloc(size);
    out[0] = 0xff;
    // 111 sync | version (11 = MPEG-1, 10 = MPEG-2) | layer 01 (III) | protection 1 (no CRC)
    out[1] = mpeg1 ? 0xfb : 0xf3;
    out[2] = (bitrateIndex << 4) | (rateIndex << 2) | (padding << 1);
    // channel mode 11 (mono), mode extension 00, copyright 0, original 1, emphasis 00
    out[3] = 0xc4;
    return out;
  };
  return {
    frameDurationMs: ((mpeg1 ? MPEG1_SAMPLES_PER_FRAME : MPEG2_SAMPLES_PER_FRAME) * 1000) / sampleRate,
    frames: (from, to) => Buffer.concat(Array.from({ length: Math.max(0, to - from) }, (_, k) => frame(from + k))),
    bytesBefore,
  };
}
