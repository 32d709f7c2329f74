import { AudioConverter, converterFor } from './audio-converter';
import { CallCodec, silenceByteFor } from './g711.codec';
import { FrameSlicer } from './frame-slicer';

/**
 * TTS chunks in any supported format → the call's 20 ms G.711 frames, for one stream at a time (one
 * sentence: `end()` pads its last frame so the sentence ends on a frame edge, where its mark goes).
 * The converter follows the chunks' format, so a stream may even switch format between chunks.
 */
export class CallAudioFramer {
  private converter: AudioConverter | undefined;
  private readonly slicer: FrameSlicer;

  constructor(readonly codec: CallCodec) {
    this.slicer = new FrameSlicer(silenceByteFor(codec));
  }

  /** Frames completed by this chunk (throws UnsupportedAudioFormatError for a format we cannot play). */
  push(format: string, audio: Buffer, out: Buffer[] = []): Buffer[] {
    if (this.converter?.sourceFormat !== format) {
      this.finishConverter(out);
      this.converter = converterFor(format, this.codec);
    }
    const converted = this.converter.convert(audio);
    if (converted.length > 0) this.slicer.push(converted, out);
    return out;
  }

  /** End of the stream: what the resampler still holds, then the last partial frame padded with silence. */
  end(out: Buffer[] = []): Buffer[] {
    this.finishConverter(out);
    this.converter = undefined;
    const last = this.slicer.flush();
    if (last) out.push(last);
    return out;
  }

  /** Drops everything held (barge-in): the next chunk starts a fresh stream. */
  reset(): void {
    this.converter = undefined;
    this.slicer.reset();
  }

  private finishConverter(out: Buffer[]): void {
    if (!this.converter) return;
    const tail = this.converter.flush();
    if (tail.length > 0) this.slicer.push(tail, out);
  }
}
