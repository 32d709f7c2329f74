import { CONTROL_STREAM, PLAYBACK_REST_STREAM, TURNS_STREAM, callKey, verifyMediaToken } from '@app/contracts';
import { GatewayHarness, MEDIA_SECRET, WAIT_MS, settle, waitUntil } from './gateway.harness';
import { GREETING, MAIN_NUMBER, REST_NUMBER, TEST_AGENTS } from './test-agents.harness';
import { InboxConsumer } from '../src/calls/inbox.consumer';

/**
 * From the first webhook to the greeting, driven by the Telnyx simulator through a real gateway: the
 * answer command as Telnyx must get it, every transition on the lifecycle lane, and Telnyx's
 * duplicates, re-deliveries and reorderings handled once and without error.
 */
describe('call set-up', () => {
  let h: GatewayHarness;
  const answers = (callId: string) => h.sim.commands(callId).filter((c) => c.command === 'answer');
  const handled = () => h.get(InboxConsumer).counters;

  beforeAll(async () => {
    h = await GatewayHarness.start({ agents: TEST_AGENTS });
  });

  afterAll(() => h?.stop());

  it('answers an incoming call with rtp streaming (token, agent codec) and the agent transcription, then greets', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    const greeting = await h.waitForSentence(callId, 'greeting');

    const [answer] = answers(callId);
    expect(answers(callId)).toHaveLength(1);
    expect(answer.outcome).toBe('ok');
    expect(answer.commandId).toBe(`${h.relay.events(callId, 'call.initiated')[0].id}:answer`);
    expect(String(answer.body.stream_url)).toMatch(new RegExp(`^${h.mediaBaseUrl}/media\\?token=`));
    const url = new URL(String(answer.body.stream_url));
    expect(verifyMediaToken(callId, url.searchParams.get('token'), MEDIA_SECRET)).toBe(true);
    expect(verifyMediaToken('v3:another-call', url.searchParams.get('token'), MEDIA_SECRET)).toBe(false);
    expect(answer.body).toMatchObject({
      stream_track: 'inbound_track',
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'PCMA',
      transcription: true,
      transcription_config: {
        transcription_engine: 'Deepgram',
        transcription_tracks: 'inbound',
        transcription_engine_config: { language: 'de', interim_results: true },
      },
    });
    // Telnyx (the simulator) connected the media stream to that URL.
    await waitUntil(async () => h.peer.connections.some((c) => c.url.includes(encodeURIComponent(url.searchParams.get('token')!))), 'the media stream');

    expect(greeting).toMatchObject({ turnId: '1', seq: 0, text: GREETING, last: true, kind: 'greeting' });
    expect((await h.shard(callId)).map((m) => m.type)).toEqual(['tts.open', 'sentence']);
    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answering', 'answered']);
    const hash = await h.client.hgetall(callKey(callId));
    expect(hash).toMatchObject({ state: 'answered', direction: 'incoming', agentId: 'main', turnId: '1', turnKind: 'greeting', to: MAIN_NUMBER });
    expect(await h.client.ttl(callKey(callId))).toBeGreaterThan(0);
  });

  it('answers a REST-playback agent without streaming and assigns a REST playback-worker when answered', async () => {
    const callId = h.placeCall(REST_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    const [answer] = answers(callId);
    expect(answer.body.stream_url).toBeUndefined();
    expect(answer.body.stream_bidirectional_mode).toBeUndefined();
    expect(answer.body).toMatchObject({ transcription: true, transcription_config: { transcription_engine: 'Google', transcription_engine_config: { interim_results: false } } });
    expect(await h.messages(PLAYBACK_REST_STREAM, callId)).toEqual([
      expect.objectContaining({ type: 'playback.assign', callId, agentId: 'rest', reason: 'agent-setting' }),
    ]);
    expect(await h.client.hget(callKey(callId), 'playbackMode')).toBe('rest');
  });

  it('handles an event delivered twice (same data.id) once', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    const duplicatesBefore = handled().duplicates;
    for (const type of ['call.initiated', 'call.answered', 'call.answered']) {
      expect(await h.relay.post(h.relay.events(callId, type)[0].body)).toBe(200);
    }
    await waitUntil(async () => handled().duplicates === duplicatesBefore + 3, 'the duplicates to be consumed');
    expect(answers(callId)).toHaveLength(1);
    expect((await h.shard(callId)).map((m) => m.type)).toEqual(['tts.open', 'sentence']);
    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answering', 'answered']);
  });

  it('never resets a live call on a re-delivered call.initiated with a new id', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    await h.playback('playback.started', callId, '1');
    await h.playback('playback.finished', callId, '1');
    await waitUntil(async () => (await h.lifecycle(callId)).at(-1) === 'listening', 'the greeting heard');
    await h.transcript(callId, 'I would like to book a table', true);
    await waitUntil(async () => (await h.messages(TURNS_STREAM, callId)).length === 1, 'the user turn');
    const before = await h.client.hgetall(callKey(callId));
    const call = h.sim.call(callId)!;
    const handledBefore = handled().handled;
    await h.inject('call.initiated', callId, { direction: 'incoming', from: call.from, to: call.to, state: 'parked' });
    await waitUntil(async () => handled().handled > handledBefore, 'the second call.initiated');
    expect(await h.client.hgetall(callKey(callId))).toEqual(before);
    expect(answers(callId)).toHaveLength(1);
    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answering', 'answered', 'speaking', 'listening']);
  });

  it('handles call.hangup before call.answered, and a transcript after the hangup, without error', async () => {
    h.relay.hold((e) => e.type === 'call.answered');
    const callId = h.placeCall(MAIN_NUMBER);
    await waitUntil(async () => h.relay.held.find((e) => e.callId === callId), 'the held call.answered');
    await h.inject('call.hangup', callId, { hangup_cause: 'originator_cancel', hangup_source: 'caller' });
    await waitUntil(async () => (await h.client.hget(callKey(callId), 'state')) === 'ended', 'the call to end');
    expect(await h.relay.release()).toEqual([200]);
    await h.transcript(callId, 'hello is anybody there', true);
    await settle(300);

    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answering', 'ended']);
    expect((await h.messages(CONTROL_STREAM, callId)).map((m) => m.type)).toEqual(['call.ended']);
    expect((await h.shard(callId)).map((m) => m.type)).toEqual(['tts.close']);
    expect(await h.messages(TURNS_STREAM, callId)).toEqual([]);
    expect(await h.inboxPending()).toBe(0);
    expect(await h.client.xlen('dlq:gateway:inbox')).toBe(0);
    const ttl = await h.client.ttl(callKey(callId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  it('retries an answer that failed with 5xx, with the same command_id, and the call goes on', async () => {
    h.sim.faults.failNext(2, 503);
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    const attempts = answers(callId);
    expect(attempts.map((a) => `${a.status} ${a.outcome}`)).toEqual(['503 fault', '503 fault', '200 ok']);
    expect(new Set(attempts.map((a) => a.commandId)).size).toBe(1);
  }, 3 * WAIT_MS);
});
