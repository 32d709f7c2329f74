import WebSocket from 'ws';
import { callKey } from '@app/contracts';
import { systemClock } from '@app/clock';
import { CLOSE_TRY_AGAIN_LATER } from '../../apps/playback-worker/src/calls/call-playback.registry';
import { PlaybackPacer } from '../../apps/playback-worker/src/calls/playback-pacer';
import { PlaybackRig, until } from '../../apps/playback-worker/src/testing/playback-rig.harness';
import { StallWatch, expectNoGapUnlessStalled } from '../../apps/playback-worker/src/testing/stall-watch.harness';
import { GREETING_TURN, PCMU, toneAudio } from '../../apps/sandbox/src/telnyx';
import { eventually } from '../../apps/sandbox/src/telnyx/testing/eventually';

/**
 * SIGTERM on a playback-worker with a live call: it goes unready, refuses new media streams with a
 * clear close code, keeps pacing the call it holds, and stops as soon as that call ends.
 */
jest.setTimeout(60_000);

/** A media stream Telnyx opens for a new call while the worker drains: its close code and reason. */
function newStream(rig: PlaybackRig, callId: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(rig.mediaUrl(callId));
    ws.on('open', () => ws.send(JSON.stringify({ event: 'start', start: { call_control_id: callId, media_format: { encoding: 'PCMU' } } })));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', reject);
  });
}

describe('playback-worker drain on SIGTERM', () => {
  let rig: PlaybackRig;

  beforeAll(async () => {
    rig = await new PlaybackRig().start();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('keeps pacing the held call until it ends, refusing new streams meanwhile, then stops', async () => {
    const { callId, call } = await rig.placeCall();
    const watch = new StallWatch().start();
    await rig.publishSentence(callId, { turnId: '1', seq: 0, text: 'Before.', audio: toneAudio(PCMU, 3000), chunkBytes: 1600 });
    await eventually(() => call.ear.firstAudibleAt(GREETING_TURN, Infinity, true), 'first audio');

    let stopped = false;
    const drainStartedAt = systemClock.epochNow();
    const shutdown = rig.closeWorker().then(() => (stopped = true));
    await until(async () => (await fetch(`${rig.httpBase}/health/ready`)).status === 503, 'not ready');
    const ready = await (await fetch(`${rig.httpBase}/health/ready`)).json();
    expect(ready).toMatchObject({ status: 'not-ready', reason: expect.stringContaining('draining') });

    await rig.client.hset(callKey('v3:new-call'), { callId: 'v3:new-call', agentId: 'stream-ulaw', state: 'answered', turnId: '0' });
    expect(await newStream(rig, 'v3:new-call')).toEqual({ code: CLOSE_TRY_AGAIN_LATER, reason: 'playback-worker draining' });

    // The held call's next sentence, published after SIGTERM, is paced and heard without a gap.
    await rig.publishSentence(callId, { turnId: '1', seq: 1, text: 'After.', audio: toneAudio(PCMU, 1000), chunkBytes: 1600, last: true });
    await eventually(() => call.stream!.marks.echoed.some((m) => m.name === '1:1:end'), 'the held call to play out', 5000);
    const heardAfter = call.ear.heard(Infinity).filter((s) => s.source === 'stream' && s.arrivedAt > drainStartedAt);
    expect(heardAfter.length).toBeGreaterThanOrEqual(50);
    watch.stop();
    expectNoGapUnlessStalled(call.ear.gapsMs(GREETING_TURN), rig.worker.app.get(PlaybackPacer).pacer.stats(callId)!, watch);
    expect(call.ear.bursts).toEqual([]);
    expect(stopped).toBe(false); // still holding the call

    const hungUpAt = Date.now();
    await rig.hangup(callId);
    await shutdown;
    expect(Date.now() - hungUpAt).toBeLessThan(3000); // stops once its last call ended, not at the bound
  });
});
