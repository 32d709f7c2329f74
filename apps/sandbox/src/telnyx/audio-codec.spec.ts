import { alawToLinear, isAudible, l16, linearToAlaw, linearToUlaw, PCMA, PCMU, silence, tone, ulawToLinear } from './audio-codec';
import { wavLengthMs } from './playback.simulator';

describe('audio codecs', () => {
  it('encodes digital silence as the G.711 idle codes', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(ulawToLinear(0xff)).toBe(0);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(alawToLinear(0xd5)).toBe(8);
  });

  it('round-trips speech-level samples within the G.711 quantisation step', () => {
    for (const sample of [-30000, -8000, -1000, -100, 100, 1000, 8000, 30000]) {
      expect(Math.abs(ulawToLinear(linearToUlaw(sample)) - sample)).toBeLessThanOrEqual(Math.abs(sample) / 16 + 8);
      expect(Math.abs(alawToLinear(linearToAlaw(sample)) - sample)).toBeLessThanOrEqual(Math.abs(sample) / 16 + 16);
    }
  });

  it('tells speech from silence in every simulated codec', () => {
    for (const codec of [PCMU, PCMA, l16(16000)]) {
      expect(isAudible(silence(codec, 20), codec)).toBe(false);
      expect(isAudible(tone(codec, 20), codec)).toBe(true);
      expect(silence(codec, 20).length).toBe(codec.bytesPerMs * 20);
    }
  });

  it('reads a WAV length from its header', () => {
    const data = Buffer.alloc(16000);
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(36 + data.length, 4);
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(7, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(8000, 24);
    header.writeUInt32LE(8000, 28);
    header.writeUInt16LE(1, 32);
    header.writeUInt16LE(8, 34);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(data.length, 40);
    expect(wavLengthMs(Buffer.concat([header, data]))).toBe(2000);
    expect(wavLengthMs(Buffer.from('ID3 not a wav file'))).toBeUndefined();
  });
});
