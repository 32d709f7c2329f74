import { AudioFormat } from '@app/contracts';
import {
  ALAW_TO_MULAW_TABLE,
  CallCodec,
  MULAW_TO_ALAW_TABLE,
  encodeG711,
  mapBytes,
} from './g711.codec';
import { CALL_SAMPLE_RATE_HZ, PcmResampler } from './pcm-resampler';

/** TTS output formats we can turn into a call's audio (pcm = 16-bit little-endian mono). */
export const CONVERTIBLE_FORMATS = ['ulaw_8000', 'alaw_8000', 'pcm_8000', 'pcm_16000', 'pcm_22050', 'pcm_24000'] as const;
export type ConvertibleFormat = (typeof CONVERTIBLE_FORMATS)[number];

export function isConvertibleFormat(format: AudioFormat | string): format is ConvertibleFormat {
  return (CONVERTIBLE_FORMATS as readonly string[]).includes(format);
}

/** A format we cannot play (mp3 would need a decoder): carries the format, never worth retrying. */
export class UnsupportedAudioFormatError extends Error {
  readonly retryable = false;
  constructor(readonly format: string) {
    super(`unsupported audio format ${format}`);
    this.name = 'UnsupportedAudioFormatError';
  }
}

/**
 * One stream's conversion to the call's G.711 codec. Stateful (resampler history, a split PCM sample),
 * so one converter per stream in order: `convert` each chunk, `flush` at its end, `reset` on barge-in.
 */
export interface AudioConverter {
  readonly sourceFormat: ConvertibleFormat;
  readonly codec: CallCodec;
  /** True when the source already is the call's codec: `convert` returns its input, no copy. */
  readonly identity: boolean;
  convert(chunk: Buffer): Buffer;
  /** End of stream: whatever the converter still holds, then a fresh state. */
  flush(): Buffer;
  reset(): void;
}

const EMPTY = Buffer.alloc(0);
const NO_SAMPLES = new Int16Array(0);

export function converterFor(sourceFormat: AudioFormat | string, codec: CallCodec): AudioConverter {
  if (!isConvertibleFormat(sourceFormat)) throw new UnsupportedAudioFormatError(sourceFormat);
  if (sourceFormat === 'ulaw_8000' || sourceFormat === 'alaw_8000') {
    const sourceCodec: CallCodec = sourceFormat === 'ulaw_8000' ? 'PCMU' : 'PCMA';
    if (sourceCodec === codec) return new IdentityConverter(sourceFormat, codec);
    return new LawConverter(sourceFormat, codec, codec === 'PCMA' ? MULAW_TO_ALAW_TABLE : ALAW_TO_MULAW_TABLE);
  }
  const rate = Number(sourceFormat.slice('pcm_'.length));
  return new PcmConverter(sourceFormat, codec, rate === CALL_SAMPLE_RATE_HZ ? undefined : new PcmResampler(rate));
}

class IdentityConverter implements AudioConverter {
  readonly identity = true;
  constructor(
    readonly sourceFormat: ConvertibleFormat,
    readonly codec: CallCodec,
  ) {}
  convert(chunk: Buffer): Buffer {
    return chunk;
  }
  flush(): Buffer {
    return EMPTY;
  }
  reset(): void {}
}

/** μ-law ↔ A-law, byte for byte through a 256-entry table (stateless). */
class LawConverter implements AudioConverter {
  readonly identity = false;
  constructor(
    readonly sourceFormat: ConvertibleFormat,
    readonly codec: CallCodec,
    private readonly table: Uint8Array,
  ) {}
  convert(chunk: Buffer): Buffer {
    return mapBytes(chunk, this.table);
  }
  flush(): Buffer {
    return EMPTY;
  }
  reset(): void {}
}

/** PCM16LE → (resample to 8 kHz) → G.711. Keeps the odd byte of a sample split across two chunks. */
class PcmConverter implements AudioConverter {
  readonly identity = false;
  /** Low byte of a sample whose high byte is in the next chunk, or −1. */
  private carry = -1;

  constructor(
    readonly sourceFormat: ConvertibleFormat,
    readonly codec: CallCodec,
    private readonly resampler: PcmResampler | undefined,
  ) {}

  convert(chunk: Buffer): Buffer {
    const samples = this.toSamples(chunk);
    return this.encode(this.resampler ? this.resampler.process(samples) : samples);
  }

  flush(): Buffer {
    this.carry = -1; // half a sample at the very end is not audio
    return this.resampler ? this.encode(this.resampler.flush()) : EMPTY;
  }

  reset(): void {
    this.carry = -1;
    this.resampler?.reset();
  }

  private toSamples(chunk: Buffer): Int16Array {
    const start = this.carry >= 0 ? 1 : 0;
    const total = chunk.length + (start ? 1 : 0);
    const count = total >> 1;
    if (count === 0) {
      if (chunk.length === 1) this.carry = chunk[0];
      return NO_SAMPLES;
    }
    const samples = new Int16Array(count);
    let read = 0;
    if (start) {
      samples[0] = ((chunk[0] << 8) | this.carry) << 16 >> 16;
      read = 1;
    }
    for (let i = start; i < count; i++, read += 2) samples[i] = chunk.readInt16LE(read);
    this.carry = read < chunk.length ? chunk[read] : -1;
    return samples;
  }

  private encode(samples: Int16Array): Buffer {
    return samples.length === 0 ? EMPTY : encodeG711(this.codec, samples);
  }
}
