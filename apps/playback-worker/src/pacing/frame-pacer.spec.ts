import { FakeClock, TimerHandle } from '@app/clock';
import { DEFAULT_LEAD_MS, FramePacer, FramePacerOptions } from './frame-pacer';

const FRAME = Buffer.alloc(160, 0xff);
/** Fractional tick phases make the playhead a float sum of 20 ms steps: compare with this slack. */
const FLOAT_SLACK_MS = 1e-6;

/** A FakeClock whose next timer can be made to fire late, like a stalled event loop. */
class StallableClock extends FakeClock {
  stallNextTimerMs = 0;
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    const late = this.stallNextTimerMs;
    this.stallNextTimerMs = 0;
    return super.setTimeout(fn, ms + late);
  }
}

/**
 * Stands in for Telnyx: plays each call's frames back to back in real time, and records what the
 * caller would hear — the gaps, how far ahead of real time audio arrived, and when each frame was sent.
 */
class FakeReceiver {
  readonly events: string[] = [];
  readonly sentAt = new Map<string, number[]>();
  readonly gaps = new Map<string, number[]>();
  readonly maxAheadMs = new Map<string, number>();
  private readonly bufferEnd = new Map<string, number>();
  constructor(private readonly clock: FakeClock) {}

  send = (callId: string, frame: Buffer): void => {
    if (frame.length !== 160) throw new Error(`frame of ${frame.length} bytes`);
    const now = this.clock.now();
    const end = this.bufferEnd.get(callId);
    if (end !== undefined && end < now) this.list(this.gaps, callId).push(now - end);
    const newEnd = Math.max(end ?? now, now) + 20;
    this.bufferEnd.set(callId, newEnd);
    this.maxAheadMs.set(callId, Math.max(this.maxAheadMs.get(callId) ?? 0, newEnd - now));
    this.list(this.sentAt, callId).push(now);
    this.events.push(`${callId} frame`);
  };
  mark = (callId: string, name: string): void => {
    this.events.push(`${callId} mark ${name}`);
  };
  /** The caller stops expecting audio (end of turn, or a `clear`): silence after it is no gap. */
  idle(callId: string): void {
    this.bufferEnd.delete(callId);
  }
  count(callId: string): number {
    return this.sentAt.get(callId)?.length ?? 0;
  }
  private list(map: Map<string, number[]>, callId: string): number[] {
    let list = map.get(callId);
    if (!list) map.set(callId, (list = []));
    return list;
  }
}

function setup(options: FramePacerOptions = {}, clock = new StallableClock()) {
  const receiver = new FakeReceiver(clock);
  const pacer = new FramePacer(clock, { send: receiver.send, mark: receiver.mark }, options);
  const enqueueFrames = (callId: string, n: number) => {
    for (let i = 0; i < n; i++) pacer.enqueue(callId, FRAME);
  };
  return { clock, receiver, pacer, enqueueFrames };
}

describe('FramePacer', () => {
  it('sends the first frame synchronously, then at most the lead at once', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    pacer.enqueue('a', FRAME);
    expect(receiver.count('a')).toBe(1); // no tick awaited for first audio
    enqueueFrames('a', 99);
    expect(receiver.count('a')).toBe(DEFAULT_LEAD_MS / 20); // 6 frames: 120 ms ahead, not one more
    expect(receiver.maxAheadMs.get('a')).toBe(120);
    clock.advance(20);
    expect(receiver.count('a')).toBe(7);
  });

  it('paces 50 calls over 60 s at exactly 50 frames per second each, one timer, never beyond the lead', () => {
    const { clock, receiver, pacer } = setup();
    const FRAMES = 3000; // 60 s
    const CHUNK = 25; // TTS delivers 0.5 s of audio every 250 ms: twice real time
    const starts = new Map<string, number>();
    let maxTimers = 0;
    for (let c = 0; c < 50; c++) {
      const callId = `call-${c}`;
      const start = c * 7.3; // every phase relative to the shared tick
      starts.set(callId, start);
      let delivered = 0;
      const deliver = () => {
        for (let i = 0; i < CHUNK; i++) pacer.enqueue(callId, FRAME);
        delivered += CHUNK;
        if (delivered < FRAMES) clock.setTimeout(deliver, 250);
      };
      clock.setTimeout(deliver, start);
    }
    for (let t = 0; t < 61_000; t += 100) {
      clock.advance(100);
      maxTimers = Math.max(maxTimers, clock.pendingTimers() - 50 /* the test's own delivery timers */);
    }
    expect(maxTimers).toBeLessThanOrEqual(1);
    for (const [callId, start] of starts) {
      const sent = receiver.sentAt.get(callId)!;
      expect(sent.length).toBe(FRAMES);
      const perSecond = new Array<number>(61).fill(0);
      for (const at of sent) perSecond[Math.floor((at - start) / 1000)]++;
      expect(perSecond[0]).toBe(50 + DEFAULT_LEAD_MS / 20 - 1); // the lead goes out at once, then real time
      for (let s = 1; s < 59; s++) expect(Math.abs(perSecond[s] - 50)).toBeLessThanOrEqual(0.5); // ±1%
      expect(receiver.gaps.get(callId)).toBeUndefined();
      expect(receiver.maxAheadMs.get(callId)).toBeLessThanOrEqual(DEFAULT_LEAD_MS + FLOAT_SLACK_MS);
      expect(pacer.stats(callId)).toMatchObject({ framesSent: FRAMES, underruns: 0, starvedGaps: 0 });
    }
    expect(clock.pendingTimers()).toBe(0); // all played: the idle process has no timer at all
  });

  it('never exceeds a configured lead, whatever the tick phase', () => {
    const { clock, receiver, enqueueFrames } = setup({ leadMs: 60, tickMs: 10 });
    clock.advance(3.7);
    enqueueFrames('a', 200);
    expect(receiver.count('a')).toBe(3);
    clock.advance(4000);
    expect(receiver.count('a')).toBe(200);
    expect(receiver.maxAheadMs.get('a')).toBeLessThanOrEqual(60 + FLOAT_SLACK_MS);
    expect(receiver.gaps.get('a')).toBeUndefined();
  });

  it('absorbs an event-loop stall of up to lead − frame − tick (80 ms) without a gap', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 500);
    clock.advance(1000);
    clock.stallNextTimerMs = 80;
    clock.advance(3000);
    expect(receiver.gaps.get('a')).toBeUndefined();
    expect(pacer.stats('a')).toMatchObject({ underruns: 0, starvedGaps: 0 });
  });

  it('counts a longer stall as an underrun of exactly the gap the caller hears (audio was waiting)', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 500);
    clock.advance(1000); // playhead runs 120 ms ahead after each tick
    clock.stallNextTimerMs = 150; // the next tick comes 150 ms late: 50 ms past the playhead
    clock.advance(10_000);
    expect(receiver.gaps.get('a')).toEqual([50]);
    expect(pacer.stats('a')).toMatchObject({ underruns: 1, underrunMs: 50, starvedGaps: 0 });
    expect(receiver.count('a')).toBe(500); // nothing lost, only late
  });

  it('measures exactly one gap, of the right length, when a chunk arrives late', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 10); // 200 ms of audio, all of it sent at once or on ticks
    clock.advance(500);
    enqueueFrames('a', 10); // arrives 300 ms after the audio ran out
    clock.advance(1000);
    expect(receiver.gaps.get('a')).toEqual([300]);
    expect(pacer.stats('a')).toMatchObject({ starvedGaps: 1, starvedMs: 300, underruns: 0, framesSent: 20 });
  });

  it('does not count the silence between two turns as a gap', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 10);
    pacer.enqueueMark('a', '1:0:end', true);
    clock.advance(2000);
    receiver.idle('a');
    enqueueFrames('a', 10);
    clock.advance(1000);
    expect(pacer.stats('a')).toMatchObject({ starvedGaps: 0, underruns: 0, framesSent: 20 });
  });

  it('emits a mark right after the last frame before it, and at once when nothing is queued', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 8);
    pacer.enqueueMark('a', '1:0');
    enqueueFrames('a', 1);
    expect(receiver.events.filter((e) => e.includes('mark'))).toEqual([]);
    clock.advance(20);
    expect(receiver.events.slice(-1)).toEqual(['a frame']); // 7th frame
    clock.advance(20);
    expect(receiver.events.slice(-2)).toEqual(['a frame', 'a mark 1:0']); // 8th frame, then its mark
    clock.advance(20);
    expect(receiver.events.slice(-1)).toEqual(['a frame']);
    pacer.enqueueMark('a', '1:1:end', true);
    expect(receiver.events.slice(-1)).toEqual(['a mark 1:1:end']);
  });

  it('clear() stops everything old at once and lets new audio start immediately', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 100);
    pacer.enqueueMark('a', '1:0');
    clock.advance(300);
    const sentBefore = receiver.count('a');
    expect(pacer.clear('a')).toBe(15); // 300 ms heard; the 120 ms sent ahead was not
    receiver.idle('a');
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(5000);
    expect(receiver.count('a')).toBe(sentBefore);
    expect(receiver.events).not.toContain('a mark 1:0');
    enqueueFrames('a', 10);
    expect(receiver.count('a')).toBe(sentBefore + 6); // the new turn goes out at once
    expect(pacer.stats('a')).toMatchObject({ framesCleared: 100 - sentBefore, underruns: 0, starvedGaps: 0 });
  });

  it('reports the heard position: whole frames played, in the call’s stream of enqueued frames', () => {
    const { clock, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 50);
    expect(pacer.heardPosition('a')).toBe(0);
    clock.advance(100);
    expect(pacer.heardPosition('a')).toBe(5);
    clock.advance(10);
    expect(pacer.heardPosition('a')).toBe(5); // the 6th frame is half played
    expect(pacer.clear('a')).toBe(5);
    clock.advance(1000);
    expect(pacer.heardPosition('a')).toBe(5); // what was in flight was cut by the clear
    enqueueFrames('a', 10); // positions 50..59
    clock.advance(40);
    expect(pacer.heardPosition('a')).toBe(52);
    clock.advance(1000);
    expect(pacer.heardPosition('a')).toBe(60);
  });

  it('remove() forgets a call; the other calls go on', () => {
    const { clock, receiver, pacer, enqueueFrames } = setup();
    enqueueFrames('a', 100);
    enqueueFrames('b', 100);
    clock.advance(200);
    const sentA = receiver.count('a');
    pacer.remove('a');
    clock.advance(5000);
    expect(receiver.count('a')).toBe(sentA);
    expect(receiver.count('b')).toBe(100);
    expect(pacer.stats('a')).toBeUndefined();
    expect(pacer.callCount).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps pacing the other calls when one call’s send throws', () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const errors: string[] = [];
    const pacer = new FramePacer(clock, {
      send: (callId) => {
        if (callId === 'broken') throw new Error('socket closed');
        sent.push(callId);
      },
      mark: () => undefined,
      error: (callId) => errors.push(callId),
    });
    for (let i = 0; i < 20; i++) {
      pacer.enqueue('broken', FRAME);
      pacer.enqueue('ok', FRAME);
    }
    clock.advance(1000);
    expect(sent.length).toBe(20);
    expect(errors.length).toBe(20);
  });

  it('refuses a lead that cannot cover a frame and a tick', () => {
    expect(() => new FramePacer(new FakeClock(), { send: () => {}, mark: () => {} }, { leadMs: 40 })).toThrow(RangeError);
  });
});
