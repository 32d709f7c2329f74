import { DEFAULT_LEAD_MS } from '../pacing';
import { MULAW_SILENCE, MULAW_TO_ALAW_TABLE, ALAW_SILENCE, encodeG711 } from '../audio/g711.codec';
import { CALL, FRAME_MS, createStreamingHarness, sentenceEntries } from './streaming-playback.harness';

const MULAW_BYTES_PER_MS = 8;
const PCM16K_BYTES_PER_MS = 32;

/** A 440 Hz tone of `ms` at `rateHz`: μ-law bytes at 8 kHz, or 16-bit little-endian PCM. */
function tone(ms: number, format: 'ulaw' | 'pcm16k'): Buffer {
  const rate = format === 'ulaw' ? 8000 : 16000;
  const samples = new Int16Array((rate * ms) / 1000).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)));
  return format === 'ulaw' ? encodeG711('PCMU', samples) : Buffer.from(samples.buffer);
}
const constant = (ms: number, byte: number) => Buffer.alloc(ms * MULAW_BYTES_PER_MS, byte);

describe('CallPlayback (media streaming, on a fake clock)', () => {
  it('paces a minute of PCM audio at 50 frames/s within 1% every second, never beyond the lead, with no gap', () => {
    const h = createStreamingHarness();
    const SENTENCES = 12; // 12 × 5 s = 60 s
    const entries = Array.from({ length: SENTENCES }, (_, seq) =>
      sentenceEntries({
        turnId: '1',
        seq,
        text: `Sentence ${seq}.`,
        audio: tone(5000, 'pcm16k'),
        format: 'pcm_16000',
        chunkBytes: 250 * PCM16K_BYTES_PER_MS,
        last: seq === SENTENCES - 1,
      }),
    ).flat();
    // The TTS delivers one 250 ms chunk every 125 ms: twice real time, as ElevenLabs Flash does.
    entries.forEach((entry, i) => h.clock.setTimeout(() => h.feed(entry), Math.floor(i / 2) * 125));
    h.clock.advance(65_000);

    const sent = h.telnyx.frames.map((f) => f.at);
    expect(sent.length).toBeGreaterThanOrEqual(2990); // 3000 frames, give or take the resampler's edges
    const perSecond = new Array<number>(61).fill(0);
    for (const at of sent) perSecond[Math.floor(at / 1000)]++;
    expect(perSecond[0]).toBe(50 + DEFAULT_LEAD_MS / FRAME_MS - 1); // the lead at once, then real time
    for (let s = 1; s < 59; s++) expect(Math.abs(perSecond[s] - 50)).toBeLessThanOrEqual(0.5);
    expect(h.telnyx.maxAheadMs).toBeLessThanOrEqual(DEFAULT_LEAD_MS + 1e-6);
    expect(h.telnyx.gaps).toEqual([]);
    expect(h.pacerGaps).toEqual(new Array(SENTENCES - 1).fill(0)); // every join seamless, each observed
    expect(h.pacer.stats(CALL)).toMatchObject({ underruns: 0, starvedGaps: 0 });
    expect(h.reports.log).toEqual([
      'started 1',
      'finished 1',
      `heard 1 "${Array.from({ length: SENTENCES }, (_, s) => `Sentence ${s}.`).join(' ')}" complete`,
    ]);
    expect(h.playback.heardThrough()).toEqual({ turnId: '1', seq: SENTENCES - 1 });
    expect(h.stamps).toEqual(['1 firstFrameSentAt', '1 firstHeardAt']);
  });

  it('opens a gap only when the TTS is late, of exactly the lateness, and reports it', () => {
    const h = createStreamingHarness();
    h.feed(...sentenceEntries({ turnId: '1', seq: 0, text: 'One.', audio: tone(1000, 'ulaw') }));
    h.clock.advance(1300); // sentence 1 arrives 300 ms after sentence 0 finished playing
    h.feed(...sentenceEntries({ turnId: '1', seq: 1, text: 'Two.', audio: tone(1000, 'ulaw'), last: true }));
    h.clock.advance(2000);
    expect(h.telnyx.gaps).toEqual([300]);
    expect(h.pacerGaps).toEqual([300]);
    expect(h.pacer.stats(CALL)).toMatchObject({ starvedGaps: 1, starvedMs: 300, underruns: 0 });
  });

  it('barge-in: clears at once, sends nothing of the turn after it, reports the text heard by elapsed time', () => {
    const h = createStreamingHarness();
    h.feed(...sentenceEntries({ turnId: '1', seq: 0, text: 'One two three four.', audio: tone(1000, 'ulaw') }));
    h.feed(...sentenceEntries({ turnId: '1', seq: 1, text: 'Five six seven eight nine ten.', audio: tone(2000, 'ulaw'), last: true }));
    h.clock.advance(1900); // 95 frames played: sentence 0 whole, 45 % of sentence 1
    const before = h.telnyx.events.length;
    h.playback.cancel('1');
    expect(h.telnyx.events[before]).toBe('clear');
    h.clock.advance(5000);
    expect(h.telnyx.events.slice(before + 1)).toEqual([]); // no frame, no mark of the old turn
    expect(h.reports.log).toEqual(['started 1', 'heard 1 "One two three four. Five six"']);
    expect(h.heard).toEqual([{ turnId: '1', seq: 0 }]); // only what was really played

    h.feed(...sentenceEntries({ turnId: '2', seq: 0, text: 'Sure.', audio: tone(200, 'ulaw'), last: true }));
    expect(h.telnyx.events.slice(before + 1, before + 3)).toEqual(['mark 2:start', 'frame']); // the new turn at once
    h.clock.advance(1000);
    expect(h.reports.log.slice(2)).toEqual(['started 2', 'finished 2', 'heard 2 "Sure." complete']);
  });

  it('an A-law call gets A-law frames whatever the TTS format (μ-law, PCM)', () => {
    const h = createStreamingHarness({ codec: 'PCMA' });
    const speech = tone(400, 'ulaw');
    h.feed(...sentenceEntries({ turnId: '1', seq: 0, text: 'Hi.', audio: Buffer.concat([constant(200, MULAW_SILENCE), speech]) }));
    h.feed(...sentenceEntries({ turnId: '1', seq: 1, text: 'There.', audio: Buffer.alloc(200 * PCM16K_BYTES_PER_MS), format: 'pcm_16000', last: true }));
    h.clock.advance(2000);
    const bytes = Buffer.concat(h.telnyx.frames.map((f) => f.bytes));
    expect(bytes.length).toBe(800 * MULAW_BYTES_PER_MS);
    expect(bytes.subarray(0, 1600).every((b) => b === ALAW_SILENCE)).toBe(true);
    expect(bytes.subarray(1600, 4800)).toEqual(Buffer.from(speech.map((b) => MULAW_TO_ALAW_TABLE[b])));
    expect(bytes.subarray(4800).every((b) => b === ALAW_SILENCE)).toBe(true);
  });

  it('puts sentences back in order, plays each chunk once, and drops a stale TTS owner’s audio', () => {
    const h = createStreamingHarness();
    const s0 = sentenceEntries({ turnId: '1', seq: 0, text: 'A.', audio: constant(400, 0x10), chunkBytes: 1600, fence: 2 });
    const stale = sentenceEntries({ turnId: '1', seq: 1, text: 'Stale.', audio: constant(1000, 0x99), fence: 1 });
    const s1 = sentenceEntries({ turnId: '1', seq: 1, text: 'B.', audio: constant(200, 0x20), fence: 2 });
    const s2 = sentenceEntries({ turnId: '1', seq: 2, text: 'C.', audio: constant(600, 0x30), chunkBytes: 1600, last: true, fence: 2 });
    h.feed(s2[2], s2[1], s1[0], s2[3], s0[1], s0[0], s0[0], s1[1], ...stale, s2[0], s0[2], s0[1], s1[0]);
    h.clock.advance(3000);
    const bytes = Buffer.concat(h.telnyx.frames.map((f) => f.bytes));
    expect(bytes).toEqual(Buffer.concat([constant(400, 0x10), constant(200, 0x20), constant(600, 0x30)]));
    expect(h.telnyx.events.filter((e) => e.startsWith('mark'))).toEqual(['mark 1:start', 'mark 1:0', 'mark 1:1', 'mark 1:2:end']);
    expect(h.reports.log).toEqual(['started 1', 'finished 1', 'heard 1 "A. B. C." complete']);
  });

  it('never plays a turn a barge-in cancelled before this instance took the call', () => {
    const h = createStreamingHarness({ turnId: '3', cancelledTurn: '3' });
    h.feed(...sentenceEntries({ turnId: '3', seq: 0, text: 'Old.', audio: constant(400, 0x10), last: true }));
    h.feed(...sentenceEntries({ turnId: '4', seq: 0, text: 'New.', audio: constant(200, 0x20), last: true }));
    h.clock.advance(1000);
    expect(Buffer.concat(h.telnyx.frames.map((f) => f.bytes))).toEqual(constant(200, 0x20));
    expect(h.reports.log).toEqual(['started 4', 'finished 4', 'heard 4 "New." complete']);
  });
});
