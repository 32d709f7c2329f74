import { FakeClock } from '@app/clock';
import { PCMA, PCMU, silence, tone } from './audio-codec';
import { Ear, GREETING_TURN } from './ear';

const EPOCH = 1_000_000;
const frame = (ms = 20) => tone(PCMU, ms);

describe('Ear', () => {
  let clock: FakeClock;
  let ear: Ear;

  beforeEach(() => {
    clock = new FakeClock(0, EPOCH);
    ear = new Ear(clock, { burstLeadMs: 300, minGapMs: 1, latencyMs: 0 });
  });

  it('plays frames back to back from the first arrival, each lasting bytes / 8 ms', () => {
    ear.hearFrame(frame(), PCMU);
    ear.hearFrame(frame(40), PCMU);
    ear.hearFrame(frame(), PCMU);
    clock.advance(80);
    expect(ear.heard().map((s) => [s.start - EPOCH, s.end - EPOCH])).toEqual([
      [0, 20],
      [20, 60],
      [60, 80],
    ]);
    expect(ear.gapsMs(GREETING_TURN)).toEqual([]);
    expect(ear.firstAudibleAt(GREETING_TURN)).toBe(EPOCH);
  });

  it('opens a silence gap for a frame that arrives after the previous one finished', () => {
    ear.hearFrame(frame(), PCMU);
    clock.advance(35);
    ear.hearFrame(frame(), PCMU);
    clock.advance(20);
    expect(ear.heard().map((s) => s.start - EPOCH)).toEqual([0, 35]);
    expect(ear.gapsMs(GREETING_TURN)).toEqual([15]);
  });

  it('counts only what has started playing by now', () => {
    ear.hearFrame(silence(PCMU, 20), PCMU);
    ear.hearFrame(frame(), PCMU);
    expect(ear.firstAudibleAt(GREETING_TURN)).toBeUndefined();
    expect(ear.firstAudibleAt(GREETING_TURN, clock.epochNow(), true)).toBe(EPOCH + 20);
    clock.advance(20);
    expect(ear.firstAudibleAt(GREETING_TURN)).toBe(EPOCH + 20);
  });

  it('does not report the silence after a turn, nor leading silent frames, as gaps', () => {
    ear.hearFrame(silence(PCMU, 20), PCMU);
    clock.advance(50);
    ear.hearFrame(frame(), PCMU);
    clock.advance(30);
    ear.hearFrame(frame(), PCMU);
    clock.advance(200);
    ear.hearFrame(silence(PCMU, 20), PCMU);
    expect(ear.gapsMs(GREETING_TURN)).toEqual([10]);
  });

  it('attributes audio to the turn that was current when it arrived', () => {
    ear.hearFrame(frame(), PCMU);
    clock.advance(100);
    ear.beginTurn(0);
    clock.advance(50);
    ear.hearFrame(frame(), PCMU);
    expect(ear.firstAudibleAt(GREETING_TURN)).toBe(EPOCH);
    expect(ear.firstAudibleAt(0)).toBe(EPOCH + 150);
    expect(ear.audibleEndBefore(0)).toBe(EPOCH + 20);
  });

  it('clear drops queued audio at once and cuts the playing frame', () => {
    for (let i = 0; i < 5; i++) ear.hearFrame(frame(), PCMU);
    clock.advance(30);
    expect(ear.clear()).toBe(70);
    expect(ear.heard().map((s) => [s.start - EPOCH, s.end - EPOCH])).toEqual([
      [0, 20],
      [20, 30],
    ]);
    expect(ear.streamPlayoutEnd()).toBe(EPOCH + 30);
    ear.hearFrame(frame(), PCMU);
    expect(ear.heard().map((s) => s.start - EPOCH)).toEqual([0, 20, 30]);
    expect(ear.clears).toEqual([{ at: EPOCH + 30, discardedMs: 70, turn: GREETING_TURN }]);
  });

  it('flags frames that push the queue more than the burst lead ahead of real time', () => {
    for (let i = 0; i < 20; i++) ear.hearFrame(frame(), PCMU);
    expect(ear.bursts.map((b) => b.aheadMs)).toEqual([320, 340, 360, 380, 400]);
    expect(ear.maxAheadMs(GREETING_TURN)).toBe(400);
  });

  it('hears A-law silence as silence and A-law speech as speech', () => {
    ear.hearFrame(silence(PCMA, 20), PCMA);
    ear.hearFrame(tone(PCMA, 20), PCMA);
    clock.advance(40);
    expect(ear.heard().map((s) => s.audible)).toEqual([false, true]);
  });

  it('adds playback audio beside the stream and cuts it when stopped', () => {
    const playback = ear.hearSegment(1000, 'playback');
    clock.advance(250);
    ear.cut(playback);
    expect([playback.start - EPOCH, playback.end - EPOCH]).toEqual([0, 250]);
    expect(ear.lastAudibleEnd()).toBe(EPOCH + 250);
  });
});
