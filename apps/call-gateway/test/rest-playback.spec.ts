import { PLAYBACK_REST_STREAM, audioStream, callKey } from '@app/contracts';
import { GatewayHarness, settle, waitUntil } from './gateway.harness';
import { MAIN_NUMBER, TEST_AGENTS } from './test-agents.harness';

/**
 * The gateway's part of REST playback (the playback-worker plays): a call whose media stream failed
 * is switched to REST and assigned to a playback-worker once; Telnyx's playback started/ended
 * reports are forwarded, in order, on the call's audio stream, and never for a call that is over.
 */
describe('REST playback plumbing', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await GatewayHarness.start({ agents: TEST_AGENTS });
  });

  afterAll(() => h?.stop());

  const assignments = (callId: string) => h.messages(PLAYBACK_REST_STREAM, callId);

  it('switches a call whose media streaming failed to REST playback, assigned once', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    expect(await assignments(callId)).toEqual([]);
    const failure = { failure_reason: 'connection refused', stream_id: 's-1', stream_type: 'websocket' };
    await h.inject('streaming.failed', callId, failure);
    await waitUntil(async () => (await assignments(callId)).length === 1, 'the assignment');
    // Another failure report (Telnyx retried the stream, or re-sent the event): still one assignment.
    await h.inject('streaming.failed', callId, failure);
    await settle(200);

    expect(await assignments(callId)).toEqual([expect.objectContaining({ type: 'playback.assign', callId, agentId: 'main', reason: 'streaming-failed' })]);
    expect(await h.client.hget(callKey(callId), 'playbackMode')).toBe('rest');
  });

  it('forwards every call.playback.started / ended, with its status, to the call audio stream in order', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    await h.inject('call.playback.started', callId, { media_url: 'x' });
    await h.inject('call.playback.ended', callId, { status: 'completed' });
    await h.inject('call.playback.started', callId, {});
    await h.inject('call.playback.ended', callId, { status: 'cancelled' });
    await waitUntil(async () => (await h.messages(audioStream(callId))).length === 4, 'four forwarded reports');

    const forwarded = (await h.messages(audioStream(callId))).map((m) => (m.type === 'telnyx.playback' ? `${m.event} ${m.status ?? '-'}` : m.type));
    expect(forwarded).toEqual(['started -', 'ended completed', 'started -', 'ended cancelled']);
  });

  it('forwards nothing for a call that has ended (its audio stream must not come back)', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    h.sim.hangup(callId);
    await waitUntil(async () => (await h.client.hget(callKey(callId), 'state')) === 'ended', 'the call to end');
    await h.inject('call.playback.ended', callId, { status: 'call_hangup' });
    await h.inject('streaming.failed', callId, { failure_reason: 'gone' });
    await settle(200);
    expect(await h.client.exists(audioStream(callId))).toBe(0);
    expect(await assignments(callId)).toEqual([]);
  });
});
