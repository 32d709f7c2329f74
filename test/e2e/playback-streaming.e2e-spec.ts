import { systemClock } from '@app/clock';
import { TurnHeardMessage } from '@app/contracts';
import { GREETING_TURN, HeardSegment, PCMU, SimCall, silenceAudio, toneAudio } from '../../apps/sandbox/src/telnyx';
import { eventually } from '../../apps/sandbox/src/telnyx/testing/eventually';
import { DEFAULT_LEAD_MS, PacerCallStats, heardText } from '../../apps/playback-worker/src/pacing';
import { PlaybackPacer } from '../../apps/playback-worker/src/calls/playback-pacer';
import { PlaybackRig, until } from '../../apps/playback-worker/src/testing/playback-rig.harness';
import { FRAME_MS, StallWatch, expectNoGapUnlessStalled } from '../../apps/playback-worker/src/testing/stall-watch.harness';

/**
 * Media streaming through a real playback-worker, heard by the Telnyx simulator's ear in real time:
 * the caller hears audio at real-time rate with a bounded lead, a gap only when the TTS is late,
 * silence within 10 ms of a barge-in, and the worker reports what was really heard.
 *
 * Real time on a shared machine: when this process was starved beyond what the pacing lead absorbs
 * (StallWatch), a "no gap" cannot be promised, and those assertions only require every gap to be
 * one the worker measured itself.
 */
jest.setTimeout(60_000);

/** Loopback delivery delay of a frame on a busy event loop: a few ms, bounded here by a frame. */
const DELIVERY_JITTER_MS = FRAME_MS;
/** Our share of a barge-in: cancel published → `clear` at Telnyx. */
const CLEAR_BUDGET_MS = 10;
/** Never this late, even with every hop waiting for a core on a loaded machine: a caller hears ~100 ms. */
const CLEAR_WORST_MS = 60;

const streamed = (segments: HeardSegment[]) => segments.filter((s) => s.source === 'stream').sort((a, b) => a.arrivedAt - b.arrivedAt);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const playedOut = (call: SimCall) => sleep(call.ear.streamPlayoutEnd() - systemClock.epochNow() + 50);

describe('playback-worker media streaming, heard by the simulator', () => {
  let rig: PlaybackRig;
  let stats: (callId: string) => PacerCallStats | undefined;

  beforeAll(async () => {
    rig = await new PlaybackRig().start();
    stats = (callId) => rig.worker.app.get(PlaybackPacer).pacer.stats(callId);
    await rig.metric('voice_live_calls'); // the first fetch loads its HTTP stack: not during a measure
  });
  afterAll(async () => {
    await rig?.stop();
  });

  const expectNoUnexplainedGap = (call: SimCall, callId: string, watch: StallWatch, expectedStarved = 0) =>
    expectNoGapUnlessStalled(call.ear.gapsMs(GREETING_TURN), stats(callId)!, watch, expectedStarved);

  it('plays at real-time rate within 1 %, never more than the lead ahead, with no gap', async () => {
    const { callId, call } = await rig.placeCall();
    expect(await rig.metric('voice_live_calls')).toBe(1);
    const audio = [0, 1, 2].map(() => toneAudio(PCMU, 2000));
    const watch = new StallWatch().start();
    for (const [seq, sentence] of audio.entries()) {
      await rig.publishSentence(callId, { turnId: '1', seq, text: `Sentence ${seq}.`, audio: sentence, chunkBytes: 1600, last: seq === 2 });
    }
    await eventually(() => streamed(call.ear.heard(Infinity)).length === 300, 'all 300 frames', 15_000);
    await playedOut(call);
    watch.stop();

    const arrivals = streamed(call.ear.heard(Infinity)).map((s) => s.arrivedAt);
    const lead = DEFAULT_LEAD_MS / FRAME_MS;
    // The rate while playing, from the frames that left on time (a stall only ever delays frames): the
    // earliest offsets from a 20 ms grid at the start and at the end lie on one grid, to within 1 %,
    // once the holes the worker measured (after which a stream resumes from now) are taken out.
    const offset = (k: number) => arrivals[k] - k * FRAME_MS;
    const window = 50;
    const minOffset = (from: number) => Math.min(...Array.from({ length: window }, (_, i) => offset(from + i)));
    const spanMs = (arrivals.length - window - lead) * FRAME_MS;
    const { underrunMs, starvedMs } = stats(callId)!;
    const driftMs = minOffset(arrivals.length - window) - minOffset(lead) - underrunMs - starvedMs;
    const framesPerSecond = (50 * spanMs) / (spanMs + driftMs);
    expect(Math.abs(framesPerSecond / 50 - 1)).toBeLessThanOrEqual(0.01);
    // Never faster than real time plus the lead. The ear starts playing at the first frame's arrival,
    // so that frame's delivery delay (and a stall of this process) shows on top of the lead.
    expect(call.ear.bursts).toEqual([]);
    expect(call.ear.maxAheadMs(GREETING_TURN)).toBeLessThanOrEqual(DEFAULT_LEAD_MS + DELIVERY_JITTER_MS + (watch.withinBudget ? 0 : watch.maxStallMs));
    expectNoUnexplainedGap(call, callId, watch);
    await rig.hangup(callId);
    expect(await rig.metric('voice_live_calls')).toBe(0);
  });

  it('opens a gap only when the TTS is late, and measures it (ear, pacer and voice_gap_ms)', async () => {
    const { callId, call } = await rig.placeCall();
    const [sumBefore, countBefore] = [await rig.metric('voice_gap_ms_sum'), await rig.metric('voice_gap_ms_count')];
    const watch = new StallWatch().start();
    await rig.publishSentence(callId, { turnId: '1', seq: 0, text: 'On time.', audio: toneAudio(PCMU, 600) });
    await rig.publishSentence(callId, { turnId: '1', seq: 1, text: 'Also on time.', audio: toneAudio(PCMU, 600) });
    await eventually(() => call.ear.firstAudibleAt(GREETING_TURN, Infinity, true), 'first audio');
    const firstAt = call.ear.firstAudibleAt(GREETING_TURN, Infinity, true)!;
    await sleep(firstAt + 1200 + 300 - systemClock.epochNow()); // the TTS is 300 ms late for sentence 2
    await rig.publishSentence(callId, { turnId: '1', seq: 2, text: 'Late.', audio: toneAudio(PCMU, 600), last: true });
    await eventually(() => streamed(call.ear.heard(Infinity)).length === 90, 'all 90 frames', 5000);
    await playedOut(call);
    watch.stop();

    const lateGap = call.ear.gapsMs(GREETING_TURN).find((gap) => gap > 250)!;
    expect(lateGap).toBeLessThan(350 + watch.maxStallMs);
    expectNoUnexplainedGap(call, callId, watch, 1);
    const measured = (await rig.metric('voice_gap_ms_sum')) - sumBefore;
    if (watch.withinBudget) {
      expect(await rig.metric('voice_gap_ms_count')).toBe(countBefore + 2); // the seamless join (0) and the gap
      // The worker measures on its playhead, the ear on arrivals: they differ by two frames' delivery delays.
      expect(Math.abs(measured - lateGap)).toBeLessThanOrEqual(2 * DELIVERY_JITTER_MS);
    } else {
      expect(measured).toBeGreaterThanOrEqual(lateGap - 2 * DELIVERY_JITTER_MS);
    }
    await rig.hangup(callId);
  });

  /** Publishes the cancel, waits for the ear's clear; returns the latency (ms). */
  async function bargeIn(call: SimCall, callId: string, turnId: string): Promise<number> {
    const clears = call.ear.clears.length;
    const cancelledAt = systemClock.epochNow();
    await rig.cancel(callId, turnId);
    await eventually(() => call.ear.clears.length === clears + 1, `the clear of turn ${turnId}`);
    return call.ear.clears[clears].at - cancelledAt;
  }

  it('barge-in: `clear` within 10 ms of the cancel, nothing old after it, the heard text reported', async () => {
    const { callId, call } = await rig.placeCall();
    const sentences = [
      { text: 'One two three four.', ms: 1000 },
      { text: 'Five six seven eight nine ten.', ms: 2000 },
    ];
    for (const [seq, s] of sentences.entries()) {
      await rig.publishSentence(callId, { turnId: '1', seq, text: s.text, audio: toneAudio(PCMU, s.ms), chunkBytes: 1600, last: seq === 1 });
    }
    await eventually(() => call.ear.firstAudibleAt(GREETING_TURN, Infinity, true), 'first audio');
    await sleep(call.ear.firstAudibleAt(GREETING_TURN, Infinity, true)! + 1700 - systemClock.epochNow());
    const latencies = [await bargeIn(call, callId, '1')];
    const clearAt = call.ear.clears[0].at;
    await sleep(500);
    expect(streamed(call.ear.heard(Infinity)).filter((s) => s.arrivedAt > clearAt)).toEqual([]);
    expect(call.stream!.marks.echoed.filter((m) => m.receivedAt > clearAt)).toEqual([]);
    const report = await waitForHeard(rig, callId, '1');
    expect(report.complete).toBe(false);
    // What the worker says was heard is what the ear heard, to a frame or two.
    const heardMs = streamed(call.ear.heard(Infinity)).reduce((sum, s) => sum + (s.end - s.start), 0);
    const frames = sentences.map((s) => ({ text: s.text, frames: s.ms / FRAME_MS }));
    const candidates = [-2, -1, 0, 1, 2].map((d) => heardText(frames, Math.round(heardMs / FRAME_MS) + d).text);
    expect(candidates).toContain(report.text);
    expect(report.text.startsWith('One two three four. Five')).toBe(true);

    // Two more barge-ins, on the next turns, which play at once after the clear.
    for (const turnId of ['2', '3']) {
      const clears = call.ear.clears.length;
      await rig.publishSentence(callId, { turnId, seq: 0, text: 'Sure.', audio: toneAudio(PCMU, 2000), chunkBytes: 1600, last: true });
      await eventually(() => streamed(call.ear.heard(Infinity)).some((s) => s.arrivedAt > call.ear.clears[clears - 1].at), `turn ${turnId}`);
      await sleep(300);
      latencies.push(await bargeIn(call, callId, turnId));
    }
    // Our share is a few ms (unit tests: the clear goes out in the same tick as the cancel). On a
    // shared machine every hop (Redis, this process) may wait for a core: the best of three shows the
    // path, and none may come near an audible delay.
    expect(Math.min(...latencies)).toBeLessThanOrEqual(CLEAR_BUDGET_MS);
    for (const latency of latencies) expect(latency).toBeLessThanOrEqual(CLEAR_WORST_MS);
    await rig.hangup(callId);
  });

  it('puts sentences back in order, plays each chunk once, drops a stale TTS owner’s audio', async () => {
    const { callId, call } = await rig.placeCall();
    const tone = toneAudio(PCMU, 400);
    const quiet = silenceAudio(PCMU, 400);
    const publishChunk = (seq: number, chunk: number, audio: Buffer, fence: number, text?: string) =>
      rig.publish(`audio:{${callId}}`, { type: 'audio', callId, turnId: '1', seq, chunk, format: 'ulaw_8000', payload: audio.toString('base64'), fence, text, at: Date.now() });
    const publishEnd = (seq: number, chunks: number, fence: number, last = false) =>
      rig.publish(`audio:{${callId}}`, { type: 'audio.end', callId, turnId: '1', seq, chunks, last, fence, at: Date.now() });
    await publishChunk(2, 1, tone.subarray(1600), 2);
    await publishChunk(0, 1, tone.subarray(1600), 2);
    await publishChunk(1, 0, toneAudio(PCMU, 1000), 1, 'Stale.'); // the previous TTS shard owner
    await publishEnd(1, 1, 1);
    await publishChunk(1, 0, quiet, 2, 'B.');
    await publishChunk(1, 0, quiet, 2, 'B.'); // re-delivered
    await publishEnd(2, 2, 2, true);
    await publishEnd(1, 1, 2);
    await publishChunk(2, 0, tone.subarray(0, 1600), 2, 'C.');
    await publishChunk(0, 0, tone.subarray(0, 1600), 2, 'A.');
    await publishChunk(0, 0, tone.subarray(0, 1600), 2, 'A.');
    await publishEnd(0, 2, 2);

    const report = await waitForHeard(rig, callId, '1');
    expect(report).toMatchObject({ text: 'A. B. C.', complete: true });
    const frames = streamed(call.ear.heard(Infinity)).sort((a, b) => a.start - b.start);
    expect(frames).toHaveLength(60); // 3 × 400 ms, nothing twice, nothing of the stale owner
    expect(frames.map((f) => (f.audible ? 'x' : '.')).join('')).toBe('x'.repeat(20) + '.'.repeat(20) + 'x'.repeat(20));
    expect(call.stream!.marks.echoed.map((m) => m.name)).toEqual(['1:start', '1:0', '1:1', '1:2:end']);
    const types = (await rig.playbackEvents(callId)).map((e) => e.type);
    expect(types).toEqual(['playback.started', 'playback.finished', 'turn.heard']);
    await rig.hangup(callId);
  });
});

function waitForHeard(rig: PlaybackRig, callId: string, turnId: string): Promise<TurnHeardMessage> {
  const heard = async () => (await rig.playbackEvents(callId)).find((e): e is TurnHeardMessage => e.type === 'turn.heard' && e.turnId === turnId);
  return until(heard, `turn.heard for turn ${turnId}`);
}
