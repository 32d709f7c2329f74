import { UnsupportedAudioFormatError, converterFor } from './audio-converter';
import { MULAW_TO_ALAW_TABLE, encodeG711 } from './g711.codec';
import { PcmResampler } from './pcm-resampler';

function pcmBytes(samples: Int16Array): Buffer {
  const bytes = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => bytes.writeInt16LE(s, i * 2));
  return bytes;
}

function sine(rateHz: number, seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(rateHz * seconds) }, (_, i) =>
    Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / rateHz)),
  );
}

/** Feeds the bytes in pieces of the given sizes (cycled) and returns everything the converter produced. */
function convertInPieces(format: Parameters<typeof converterFor>[0], bytes: Buffer, sizes: number[]): Buffer {
  const converter = converterFor(format, 'PCMU');
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    out.push(converter.convert(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(converter.flush());
  return Buffer.concat(out);
}

describe('converterFor', () => {
  it('passes audio already in the call codec through untouched (same Buffer, no copy)', () => {
    const chunk = Buffer.from([0xff, 0x7f, 0x00, 0x80]);
    const ulaw = converterFor('ulaw_8000', 'PCMU');
    expect(ulaw.identity).toBe(true);
    expect(ulaw.convert(chunk)).toBe(chunk);
    expect(ulaw.flush().length).toBe(0);
    expect(converterFor('alaw_8000', 'PCMA').convert(chunk)).toBe(chunk);
  });

  it('transcodes μ-law TTS output for an A-law call byte by byte', () => {
    const chunk = Buffer.from([0xff, 0x7f, 0x00, 0x80, 0x12]);
    const converter = converterFor('ulaw_8000', 'PCMA');
    expect(converter.identity).toBe(false);
    expect([...converter.convert(chunk)]).toEqual([...chunk].map((b) => MULAW_TO_ALAW_TABLE[b]));
  });

  it('encodes pcm_8000 sample for sample, even when a sample is split across two chunks', () => {
    const samples = sine(8000, 0.1);
    const bytes = pcmBytes(samples);
    const expected = encodeG711('PCMU', samples);
    expect(convertInPieces('pcm_8000', bytes, [bytes.length])).toEqual(expected);
    expect(convertInPieces('pcm_8000', bytes, [1, 3, 5, 2, 161])).toEqual(expected);
    expect(convertInPieces('pcm_8000', bytes, [1])).toEqual(expected);
  });

  it.each(['pcm_16000', 'pcm_22050', 'pcm_24000'] as const)('%s: resamples to 8 kHz, chunking-independent', (format) => {
    const rate = Number(format.slice(4));
    const samples = sine(rate, 0.5);
    const bytes = pcmBytes(samples);
    const reference = new PcmResampler(rate);
    const expected = encodeG711('PCMU', Int16Array.from([...reference.process(samples), ...reference.flush()]));
    expect(expected.length).toBe(4000); // 0.5 s at 8 kHz
    expect(convertInPieces(format, bytes, [bytes.length])).toEqual(expected);
    expect(convertInPieces(format, bytes, [7, 1, 320, 33, 2])).toEqual(expected);
  });

  it('reset() drops a half sample and the resampler history (barge-in)', () => {
    const converter = converterFor('pcm_16000', 'PCMA');
    converter.convert(pcmBytes(sine(16000, 0.05)).subarray(0, 301)); // ends mid-sample
    converter.reset();
    const next = pcmBytes(sine(16000, 0.05));
    const fresh = converterFor('pcm_16000', 'PCMA');
    expect(Buffer.concat([converter.convert(next), converter.flush()])).toEqual(
      Buffer.concat([fresh.convert(next), fresh.flush()]),
    );
  });

  it('refuses formats it cannot play, with the format in the error', () => {
    expect(() => converterFor('mp3_44100_128', 'PCMU')).toThrow(UnsupportedAudioFormatError);
    try {
      converterFor('mp3_44100_128', 'PCMU');
    } catch (error) {
      expect(error).toMatchObject({ format: 'mp3_44100_128', retryable: false });
    }
  });
});
