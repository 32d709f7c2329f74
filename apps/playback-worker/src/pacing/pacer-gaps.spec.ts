import { FakeClock } from '@app/clock';
import { FramePacer } from './frame-pacer';

const FRAME = Buffer.alloc(160, 0xff);

/** The pacer's `gap` output, which feeds the `voice_gap_ms` histogram. */
function setup() {
  const clock = new FakeClock();
  const gaps: number[] = [];
  const pacer = new FramePacer(clock, { send: () => undefined, mark: () => undefined, gap: (_callId, ms) => gaps.push(ms) });
  const frames = (n: number) => {
    for (let i = 0; i < n; i++) pacer.enqueue('a', FRAME);
  };
  return { clock, gaps, pacer, frames };
}

describe('FramePacer gap reports', () => {
  it('reports 0 for each sentence join played back to back, nothing for the first sentence', () => {
    const { clock, gaps, pacer, frames } = setup();
    pacer.enqueueMark('a', '1:start');
    frames(50);
    pacer.enqueueMark('a', '1:0');
    frames(50);
    pacer.enqueueMark('a', '1:1');
    frames(50);
    pacer.enqueueMark('a', '1:2:end', true);
    clock.advance(5000);
    expect(gaps).toEqual([0, 0]);
  });

  it('reports the hole a late sentence opens, measured on the clock, once', () => {
    const { clock, gaps, pacer, frames } = setup();
    frames(10);
    pacer.enqueueMark('a', '1:0');
    clock.advance(200 + 300); // the 200 ms sentence played out 300 ms ago
    frames(10);
    clock.advance(1000);
    expect(gaps).toEqual([300]);
    expect(pacer.stats('a')).toMatchObject({ starvedGaps: 1, starvedMs: 300, underruns: 0 });
  });

  it('reports a hole inside a sentence (a late chunk) even without a mark', () => {
    const { clock, gaps, frames } = setup();
    frames(10);
    clock.advance(250);
    frames(10);
    clock.advance(1000);
    expect(gaps).toEqual([50]);
  });

  it('reports nothing for the silence between turns or after a barge-in', () => {
    const { clock, gaps, pacer, frames } = setup();
    frames(10);
    pacer.enqueueMark('a', '1:0:end', true);
    clock.advance(3000);
    frames(10);
    pacer.enqueueMark('a', '2:0');
    clock.advance(100);
    pacer.clear('a');
    clock.advance(1000);
    frames(10);
    clock.advance(1000);
    expect(gaps).toEqual([]);
  });
});

/**
 * Regression (found by the e2e test against the simulator's ear): a sentence the TTS delivered late was
 * counted as an underrun (our fault) of a few microseconds on top of the starved gap. Cause: `enqueue`
 * read the clock twice, once to stamp the frame's arrival and once to send it, and a real clock moves
 * in between. Fix: one reading per enqueue.
 */
describe('FramePacer on a clock that moves at every reading', () => {
  class CreepingClock extends FakeClock {
    override now(): number {
      const now = super.now();
      this.advance(0.001);
      return now;
    }
  }

  it('counts a late sentence as starved only, never as an underrun', () => {
    const clock = new CreepingClock();
    const pacer = new FramePacer(clock, { send: () => undefined, mark: () => undefined });
    for (let i = 0; i < 10; i++) pacer.enqueue('a', FRAME);
    clock.advance(500);
    for (let i = 0; i < 10; i++) pacer.enqueue('a', FRAME);
    clock.advance(1000);
    expect(pacer.stats('a')).toMatchObject({ starvedGaps: 1, underruns: 0 });
  });
});
