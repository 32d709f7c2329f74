import { alawToLinear } from './alaw.codec';
import { parseOutputFormat } from './output-format';
import { planSpeech } from './speech-plan';
import { ulawToLinear } from './ulaw.codec';

const OPTIONS = { charsPerSecond: 15, chunkMs: 250 };
const TEXT = 'The quick brown fox jumps over the lazy dog. ';

function format(name: string) {
  const parsed = parseOutputFormat(name);
  if (!parsed) throw new Error(name);
  return parsed;
}

/** Peak absolute linear value of each 20 ms frame (what a caller's ear would judge). */
function framePeaks(samples: number[], sampleRate: number): number[] {
  const size = (sampleRate * 20) / 1000;
  const peaks: number[] = [];
  for (let i = 0; i + size <= samples.length; i += size) peaks.push(samples.slice(i, i + size).reduce((m, x) => Math.max(m, Math.abs(x)), 0));
  return peaks;
}

describe('planSpeech', () => {
  it('makes audio proportional to the text, cut into consecutive chunks that cover it exactly', () => {
    const plan = planSpeech(TEXT, format('ulaw_8000'), OPTIONS);
    expect(plan.durationMs).toBe(Math.round((TEXT.length / 15) * 1000)); // 3000 ms
    expect(plan.chunks).toHaveLength(12);
    plan.chunks.forEach((c, i) => {
      expect(c.index).toBe(i);
      expect(c.startMs).toBe(i * 250);
      expect(c.last).toBe(i === 11);
      expect(c.audio().length).toBe(c.bytes);
    });
    expect(plan.chunks.reduce((n, c) => n + c.bytes, 0)).toBe(3 * 8000);
    expect(plan.chunks.map((c) => c.alignment.chars.join('')).join('')).toBe(TEXT);
  });

  it.each([
    ['ulaw_8000', 8000, (b: Buffer) => Array.from(b, ulawToLinear)],
    ['alaw_8000', 8000, (b: Buffer) => Array.from(b, alawToLinear)],
    ['pcm_16000', 16000, (b: Buffer) => Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(i * 2))],
    ['pcm_44100', 44100, (b: Buffer) => Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(i * 2))],
  ])('%s: every 20 ms frame is audible, the whole is deterministic, chunks join seamlessly', (name, rate, decode) => {
    const plan = planSpeech(TEXT, format(name), OPTIONS);
    const whole = Buffer.concat(plan.chunks.map((c) => c.audio()));
    const samples = decode(whole);
    expect(samples).toHaveLength((3000 * rate) / 1000);
    expect(framePeaks(samples, rate).reduce((m, x) => Math.min(m, x), Infinity)).toBeGreaterThan(1000);
    expect(samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0)).toBeLessThan(32767); // no clipping
    expect(Buffer.concat(planSpeech(TEXT, format(name), OPTIONS).chunks.map((c) => c.audio()))).toEqual(whole);
    // No click at a chunk boundary: neighbouring samples differ like any neighbours do.
    const boundary = plan.chunks[0].bytes / (name.startsWith('pcm') ? 2 : 1);
    expect(Math.abs(samples[boundary] - samples[boundary - 1])).toBeLessThan(8000);
  });

  it('different sentences sound different', () => {
    const a = planSpeech('Hello there. ', format('ulaw_8000'), OPTIONS).chunks[0].audio();
    const b = planSpeech('Goodbye now. ', format('ulaw_8000'), OPTIONS).chunks[0].audio();
    expect(a.equals(b)).toBe(false);
  });

  it('mp3_44100_128: valid MPEG-1 Layer III mono frame headers, sizes averaging 128 kbps', () => {
    const plan = planSpeech(TEXT, format('mp3_44100_128'), OPTIONS);
    const stream = Buffer.concat(plan.chunks.map((c) => c.audio()));
    let offset = 0;
    let frames = 0;
    while (offset < stream.length) {
      expect(stream[offset]).toBe(0xff);
      expect(stream[offset + 1]).toBe(0xfb); // MPEG-1, Layer III, no CRC
      expect(stream[offset + 2] >> 4).toBe(9); // 128 kbps
      expect((stream[offset + 2] >> 2) & 3).toBe(0); // 44.1 kHz
      expect(stream[offset + 3] >> 6).toBe(3); // mono
      offset += 417 + ((stream[offset + 2] >> 1) & 1);
      frames++;
    }
    expect(offset).toBe(stream.length);
    expect(frames).toBe(Math.ceil(3000 / (1152 / 44.1)));
    const kbps = (stream.length * 8) / (frames * (1152 / 44100)) / 1000;
    expect(kbps).toBeCloseTo(128, 0);
  });

  it('mp3_22050_32: MPEG-2 frames (576 samples, 72 × bitrate / rate bytes, padded to the exact rate)', () => {
    const plan = planSpeech('Hi. ', format('mp3_22050_32'), OPTIONS); // 267 ms → 11 frames of 26.1 ms
    const stream = Buffer.concat(plan.chunks.map((c) => c.audio()));
    let offset = 0;
    let frames = 0;
    while (offset < stream.length) {
      expect(stream.readUInt16BE(offset)).toBe(0xfff3); // MPEG-2, Layer III, no CRC
      expect(stream[offset + 2] >> 4).toBe(4); // 32 kbps in the MPEG-2 table
      offset += 104 + ((stream[offset + 2] >> 1) & 1);
      frames++;
    }
    expect(frames).toBe(11);
    expect(stream.length).toBe(Math.floor((11 * 72 * 32000) / 22050));
  });
});
