import Telnyx from 'telnyx';
import { FakeClock } from '@app/clock';
import { eventually } from './testing/eventually';
import { MediaPeer } from './testing/media-peer';
import { WebhookInbox } from './testing/webhook-inbox';
import { TelnyxSimulator } from './telnyx.simulator';

const API_KEY = 'KEY_SANDBOX_TEST';
const OK = { data: { result: 'ok' } };
const FROM = '+15550001111';
const TO = '+15550002222';

describe('Call Control API, driven by the telnyx SDK', () => {
  let sim: TelnyxSimulator;
  let baseUrl: string;
  let inbox: WebhookInbox;
  let peer: MediaPeer;
  let streamUrl: string;
  let sdk: Telnyx;
  const requested: string[] = [];

  async function boot(clock?: FakeClock): Promise<void> {
    // A caller that never speaks and waits ~forever keeps calls up while commands are tested.
    sim = new TelnyxSimulator({ apiKey: API_KEY, clock, outboundRingMs: 30, playbackLengthMs: 40, caller: { pauseMs: 1e9 } });
    inbox = new WebhookInbox(new Telnyx({ apiKey: API_KEY, publicKey: sim.publicKeyBase64 }));
    sim.setWebhookUrl(await inbox.start());
    ({ baseUrl } = await sim.start());
    sdk = new Telnyx({
      apiKey: API_KEY,
      baseURL: baseUrl,
      fetch: (url, init) => (requested.push(String(url)), fetch(url, init)),
    });
    peer = new MediaPeer();
    streamUrl = await peer.start();
  }

  afterEach(async () => {
    await sim.close();
    await inbox.close();
    await peer.close();
    requested.length = 0;
  });

  async function incomingCall(): Promise<string> {
    const { callId } = sim.placeCall({ from: FROM, to: TO, script: [] });
    await eventually(() => inbox.find('call.initiated', callId), 'call.initiated');
    return callId;
  }

  async function answeredCall(): Promise<string> {
    const callId = await incomingCall();
    await sdk.calls.actions.answer(callId, {});
    return callId;
  }

  const outcomes = (callId: string) => sim.commands(callId).map((c) => [c.command, c.status, c.outcome]);
  const count = (type: string, callId: string) => inbox.types(callId).filter((t) => t === type).length;

  describe('with the system clock', () => {
    beforeEach(() => boot());

    it('answers through the SDK, which keeps the colon of the call_control_id in the path', async () => {
      const callId = await incomingCall();
      expect(callId).toMatch(/^v3:[A-Za-z0-9_-]{54}$/);
      expect(inbox.find('call.initiated', callId)!.event.data.payload).toEqual({
        call_control_id: callId,
        call_leg_id: sim.call(callId)!.callLegId,
        call_session_id: sim.call(callId)!.callSessionId,
        connection_id: '2101012345678901234',
        client_state: null,
        from: FROM,
        to: TO,
        direction: 'incoming',
        state: 'parked',
        caller_id_name: FROM,
        start_time: expect.any(String),
      });
      const clientState = Buffer.from('greeting').toString('base64');
      await expect(sdk.calls.actions.answer(callId, { command_id: 'answer-1', client_state: clientState })).resolves.toEqual(OK);
      expect(requested).toEqual([`${baseUrl}/calls/${callId}/actions/answer`]);
      expect(sim.commands(callId)).toEqual([
        { command: 'answer', commandId: 'answer-1', body: { command_id: 'answer-1', client_state: clientState }, receivedAt: expect.any(Number), status: 200, outcome: 'ok' },
      ]);
      const answered = await eventually(() => inbox.find('call.answered', callId), 'call.answered');
      expect(answered.event.data.payload).toMatchObject({ call_control_id: callId, client_state: clientState, state: 'answered', from: FROM, to: TO });
    });

    it('accepts the call_control_id URL-encoded (%3A), as other HTTP clients send it', async () => {
      const callId = await incomingCall();
      const res = await fetch(`${baseUrl}/calls/${encodeURIComponent(callId)}/actions/answer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect([res.status, await res.json()]).toEqual([200, OK]);
      expect(outcomes(callId)).toEqual([['answer', 200, 'ok']]);
    });

    it('runs every media command the agent uses and sends the webhooks Telnyx sends', async () => {
      const callId = await answeredCall();
      const actions = sdk.calls.actions;
      await actions.startStreaming(callId, { stream_url: streamUrl, stream_track: 'inbound_track', stream_bidirectional_mode: 'rtp', stream_bidirectional_codec: 'PCMA' });
      await eventually(() => inbox.find('streaming.started', callId), 'streaming.started');
      expect(peer.frames('start')[0].start.call_control_id).toBe(callId);
      expect(sim.call(callId)!.stream!.params.outboundCodec.name).toBe('PCMA');
      await actions.startTranscription(callId, { transcription_engine: 'Google', transcription_engine_config: { interim_results: true }, transcription_tracks: 'inbound' });
      expect(sim.call(callId)!.transcription).toEqual({ active: true, interimResults: true, track: 'inbound' });
      await actions.startPlayback(callId, { audio_url: 'https://example.com/a.mp3' });
      await actions.startPlayback(callId, { audio_url: 'https://example.com/b.mp3' });
      await actions.stopPlayback(callId, { stop: 'all' });
      await actions.speak(callId, { payload: 'Hi', voice: 'female' });
      await eventually(() => inbox.find('call.speak.ended', callId), 'call.speak.ended');
      await actions.stopTranscription(callId, {});
      expect(sim.call(callId)!.transcription.active).toBe(false);
      await actions.stopStreaming(callId, {});
      await eventually(() => peer.last.closed, 'the media socket to close');
      await actions.hangup(callId, {});
      await eventually(() => inbox.find('call.hangup', callId), 'call.hangup');
      expect(inbox.types(callId)).toEqual([
        'call.initiated', 'call.answered', 'streaming.started', 'call.playback.started', 'call.playback.ended',
        'call.speak.started', 'call.speak.ended', 'streaming.stopped', 'call.hangup',
      ]);
      expect(inbox.find('call.playback.ended', callId)!.event.data.payload).toMatchObject({ media_url: 'https://example.com/a.mp3', status: 'cancelled', overlay: false });
      expect(inbox.find('call.speak.ended', callId)!.event.data.payload).toMatchObject({ status: 'completed' });
      expect(peer.frames('stop')).toHaveLength(1);
      expect(inbox.find('call.hangup', callId)!.event.data.payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee', state: 'hangup' });
      expect(outcomes(callId).map(([command, , outcome]) => `${command}:${outcome}`)).toEqual([
        'answer:ok', 'streaming_start:ok', 'transcription_start:ok', 'playback_start:ok', 'playback_start:ok', 'playback_stop:ok',
        'speak:ok', 'transcription_stop:ok', 'streaming_stop:ok', 'hangup:ok',
      ]);
    });

    it('ignores a repeated command_id on the same call: answered ok, no second effect', async () => {
      const callId = await answeredCall();
      const other = await answeredCall();
      for (const id of [callId, callId, other]) {
        await expect(sdk.calls.actions.startPlayback(id, { audio_url: 'https://example.com/a.mp3', overlay: true, command_id: 'play-1' })).resolves.toEqual(OK);
      }
      await eventually(() => count('call.playback.ended', callId) === 1 && count('call.playback.ended', other) === 1, 'the playbacks to end');
      expect(outcomes(callId)).toEqual([['answer', 200, 'ok'], ['playback_start', 200, 'ok'], ['playback_start', 200, 'duplicate']]);
      expect(count('call.playback.started', callId)).toBe(1);
      expect(outcomes(other)).toEqual([['answer', 200, 'ok'], ['playback_start', 200, 'ok']]);
    });

    it('answers 422 / 90018 for a command on a call that has ended, except a deduped retry', async () => {
      const callId = await answeredCall();
      await sdk.calls.actions.hangup(callId, { command_id: 'bye' });
      const error = await sdk.calls.actions.speak(callId, { payload: 'too late', voice: 'female' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Telnyx.UnprocessableEntityError);
      expect((error as InstanceType<typeof Telnyx.APIError>).error).toEqual({
        errors: [{ code: '90018', title: 'Call has already ended', detail: "This call is no longer active and can't receive commands." }],
      });
      await expect(sdk.calls.actions.hangup(callId, { command_id: 'bye' })).resolves.toEqual(OK);
      expect(outcomes(callId)).toEqual([['answer', 200, 'ok'], ['hangup', 200, 'ok'], ['speak', 422, 'call-ended'], ['hangup', 200, 'duplicate']]);
    });

    it('answers 422 / 90034 for a media command before the call is answered', async () => {
      const callId = await incomingCall();
      const error = await sdk.calls.actions.startPlayback(callId, { audio_url: 'https://example.com/a.mp3' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Telnyx.UnprocessableEntityError);
      expect((error as InstanceType<typeof Telnyx.APIError>).error).toMatchObject({ errors: [{ code: '90034', title: 'Call not answered yet' }] });
    });

    it('fails the next command with an injected 5xx, which the SDK retries with the same command_id', async () => {
      const callId = await answeredCall();
      sim.faults.failNext(1, 503);
      await expect(sdk.calls.actions.startPlayback(callId, { audio_url: 'https://example.com/a.mp3', overlay: true, command_id: 'p-1' })).resolves.toEqual(OK);
      expect(sim.commands(callId).slice(1).map((c) => [c.commandId, c.status, c.outcome])).toEqual([
        ['p-1', 503, 'fault'],
        ['p-1', 200, 'ok'],
      ]);
      await eventually(() => count('call.playback.ended', callId) === 1, 'the playback to end');
      expect(count('call.playback.started', callId)).toBe(1);
      sim.faults.failNext(1);
      const error = await sdk.calls.actions.hangup(callId, {}, { maxRetries: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Telnyx.InternalServerError);
      expect((error as InstanceType<typeof Telnyx.APIError>).error).toEqual({ errors: [{ code: '10007', title: 'Unexpected error', detail: 'An unexpected error occured.' }] });
    });

    it('executes a command at once but answers it late: a client that times out retries, the retry is deduped', async () => {
      const callId = await answeredCall();
      const impatient = new Telnyx({ apiKey: API_KEY, baseURL: baseUrl, timeout: 300, maxRetries: 1 });
      sim.faults.delayNext(1, 1_000);
      await expect(impatient.calls.actions.startPlayback(callId, { audio_url: 'https://example.com/a.mp3', overlay: true, command_id: 'slow-1' })).resolves.toEqual(OK);
      expect(outcomes(callId)).toEqual([['answer', 200, 'ok'], ['playback_start', 200, 'ok'], ['playback_start', 200, 'duplicate']]);
      expect(count('call.playback.started', callId)).toBe(1);
    });

    it('rejects a wrong API key with 401 / 10009', async () => {
      const callId = await incomingCall();
      const wrong = new Telnyx({ apiKey: 'KEY_WRONG', baseURL: baseUrl });
      const error = await wrong.calls.actions.answer(callId, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Telnyx.AuthenticationError);
      expect((error as InstanceType<typeof Telnyx.APIError>).error).toMatchObject({ errors: [{ code: '10009' }] });
      expect(sim.commands(callId)).toEqual([]);
    });

    it('answers an unknown call id with 90015 and an unknown command path with 404', async () => {
      const unknown = await sdk.calls.actions.hangup('v3:nope', {}).catch((e: unknown) => e);
      expect((unknown as InstanceType<typeof Telnyx.APIError>).error).toMatchObject({ errors: [{ code: '90015' }] });
      const callId = await incomingCall();
      const res = await fetch(`${baseUrl}/calls/${callId}/actions/plaback_start`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } });
      expect([res.status, ((await res.json()) as { errors: Array<{ code: string }> }).errors[0].code]).toEqual([404, '10005']);
    });

    it('dials out: call.initiated (outgoing), rings, call.answered, media streaming', async () => {
      const response = await sdk.calls.dial({ connection_id: 'conn-out', from: FROM, to: TO, stream_url: streamUrl, stream_bidirectional_mode: 'rtp' });
      expect(response.data).toMatchObject({ record_type: 'call', is_alive: false, call_control_id: expect.stringMatching(/^v3:/) });
      const callId = response.data!.call_control_id;
      await eventually(() => inbox.find('streaming.started', callId), 'streaming.started');
      expect(inbox.types(callId)).toEqual(['call.initiated', 'call.answered', 'streaming.started']);
      expect(inbox.find('call.initiated', callId)!.event.data.payload).toMatchObject({ direction: 'outgoing', state: 'bridging', connection_id: 'conn-out', from: FROM, to: TO });
      expect(await sdk.calls.retrieveStatus(callId)).toMatchObject({ data: { call_control_id: callId, is_alive: true } });
      await sdk.calls.actions.hangup(callId, {});
      await eventually(() => inbox.find('call.hangup', callId), 'call.hangup');
      expect(inbox.find('call.hangup', callId)!.event.data.payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'caller' });
      const missing = await sdk.calls.dial({ connection_id: '', from: FROM, to: TO }).catch((e: unknown) => e);
      expect((missing as InstanceType<typeof Telnyx.APIError>).error).toMatchObject({ errors: [{ code: '10004', source: { pointer: '/connection_id' } }] });
    });
  });

  describe('with a fake clock', () => {
    it('forgets a command_id after 60 s', async () => {
      const clock = new FakeClock(0, Date.now());
      await boot(clock);
      const callId = await answeredCall();
      const play = () => sdk.calls.actions.startPlayback(callId, { audio_url: 'https://example.com/a.mp3', overlay: true, command_id: 'p' });
      await play();
      await clock.advanceAsync(59_999);
      await play();
      await clock.advanceAsync(1);
      await play();
      expect(outcomes(callId).map(([, , outcome]) => outcome)).toEqual(['ok', 'ok', 'duplicate', 'ok']);
    });
  });
});
