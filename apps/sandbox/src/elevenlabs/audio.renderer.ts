import { encodeAlaw } from './alaw.codec';
import { mp3Frames } from './mp3-frames.generator';
import { OutputFormat } from './output-format';
import { voicedTone } from './tone.generator';
import { encodeUlaw } from './ulaw.codec';

/**
 * The audio of one generation in the requested format, rendered on demand for a time range and cut
 * on sample (or MP3 frame) boundaries: consecutive ranges give consecutive, non-overlapping bytes
 * whose concatenation is the whole stream, exactly what a client reassembles from the chunks.
 */
export interface RenderedAudio {
  readonly durationMs: number;
  readonly totalBytes: number;
  /** Byte length of `slice(startMs, endMs)` without rendering it. */
  sizeOf(startMs: number, endMs: number): number;
  slice(startMs: number, endMs: number): Buffer;
}

function encodePcm16le(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i], i * 2);
  return out;
}

function sampledAudio(format: OutputFormat, durationMs: number, seed: number): RenderedAudio {
  const sampleCount = Math.max(1, Math.round((durationMs * format.sampleRate) / 1000));
  const bytesPerSample = format.codec === 'pcm' ? 2 : 1;
  const encode = format.codec === 'ulaw' ? encodeUlaw : format.codec === 'alaw' ? encodeAlaw : encodePcm16le;
  const sampleAt = (ms: number) => (ms >= durationMs ? sampleCount : Math.round((ms * format.sampleRate) / 1000));
  return {
    durationMs,
    totalBytes: sampleCount * bytesPerSample,
    sizeOf: (startMs, endMs) => (sampleAt(endMs) - sampleAt(startMs)) * bytesPerSample,
    slice: (startMs, endMs) => {
      const from = sampleAt(startMs);
      return encode(voicedTone(format.sampleRate, seed, from, sampleAt(endMs) - from));
    },
  };
}

function mp3Audio(format: OutputFormat, durationMs: number): RenderedAudio {
  const source = mp3Frames(format.sampleRate, format.bitrateKbps ?? 128);
  const frameCount = Math.max(1, Math.ceil(durationMs / source.frameDurationMs));
  const frameAt = (ms: number) => (ms >= durationMs ? frameCount : Math.min(frameCount, Math.round(ms / source.frameDurationMs)));
  return {
    durationMs,
    totalBytes: source.bytesBefore(frameCount),
    sizeOf: (startMs, endMs) => source.bytesBefore(frameAt(endMs)) - source.bytesBefore(frameAt(startMs)),
    slice: (startMs, endMs) => source.frames(frameAt(startMs), frameAt(endMs)),
  };
}

export function renderAudio(format: OutputFormat, durationMs: number, seed: number): RenderedAudio {
  if (format.codec === 'mp3') return mp3Audio(format, durationMs);
  if (format.codec === 'opus') throw new Error(`the simulator cannot encode ${format.name}`);
  return sampledAudio(format, durationMs, seed);
}
