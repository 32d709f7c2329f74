import { FrameSlicer, G711_FRAME_BYTES } from './frame-slicer';
import { ALAW_SILENCE, MULAW_SILENCE } from './g711.codec';

const ramp = (length: number, from = 0): Buffer => Buffer.from(Array.from({ length }, (_, i) => (from + i) % 251));

describe('FrameSlicer', () => {
  it('cuts any chunking into exact 160-byte frames that concatenate back to the input', () => {
    const input = ramp(160 * 37 + 59);
    for (const sizes of [[input.length], [1], [159, 2, 161, 320, 7], [1000, 13]]) {
      const slicer = new FrameSlicer(MULAW_SILENCE);
      const frames: Buffer[] = [];
      for (let at = 0, i = 0; at < input.length; i++) {
        const size = sizes[i % sizes.length];
        slicer.push(input.subarray(at, at + size), frames);
        at += size;
      }
      expect(frames.every((f) => f.length === G711_FRAME_BYTES)).toBe(true);
      expect(frames.length).toBe(37);
      expect(slicer.pendingBytes).toBe(59);
      expect(Buffer.concat(frames)).toEqual(input.subarray(0, 160 * 37));
    }
  });

  it('returns frames inside a chunk as views of it (no copy); only a straddling frame is copied', () => {
    const slicer = new FrameSlicer(MULAW_SILENCE);
    const first = ramp(100);
    expect(slicer.push(first)).toEqual([]);
    const second = ramp(400, 100);
    const frames = slicer.push(second);
    expect(frames.length).toBe(3); // 100 + 400 = 500 bytes = 3 frames + 20
    expect(frames[1].buffer).toBe(second.buffer);
    expect(frames[1].byteOffset).toBe(second.byteOffset + 60);
    expect(frames[2].byteOffset).toBe(second.byteOffset + 220);
    const copied = Buffer.from(frames[0]);
    second[0] ^= 0xff; // the straddling frame owns its bytes; the others see the chunk's
    second[60] ^= 0xff;
    expect(frames[0]).toEqual(copied);
    expect(frames[1][0]).toBe(second[60]);
    second[0] ^= 0xff;
    second[60] ^= 0xff;
    expect(Buffer.concat(frames)).toEqual(Buffer.concat([first, second]).subarray(0, 480));
  });

  it('flush() pads the last partial frame with the codec silence byte', () => {
    for (const silence of [MULAW_SILENCE, ALAW_SILENCE]) {
      const slicer = new FrameSlicer(silence);
      expect(slicer.push(ramp(200)).length).toBe(1);
      const last = slicer.flush()!;
      expect(last.length).toBe(160);
      expect(last.subarray(0, 40)).toEqual(ramp(40, 160));
      expect([...new Set(last.subarray(40))]).toEqual([silence]);
      expect(slicer.flush()).toBeUndefined();
    }
  });

  it('flush() on a frame edge adds nothing; reset() drops the partial frame', () => {
    const slicer = new FrameSlicer(MULAW_SILENCE);
    slicer.push(ramp(320));
    expect(slicer.flush()).toBeUndefined();
    slicer.push(ramp(90));
    slicer.reset();
    expect(slicer.pendingBytes).toBe(0);
    const frames = slicer.push(ramp(160, 7));
    expect(frames).toEqual([ramp(160, 7)]);
  });
});
