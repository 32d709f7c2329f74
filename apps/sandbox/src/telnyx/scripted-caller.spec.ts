import Telnyx from 'telnyx';
import { FakeClock } from '@app/clock';
import { ProviderTimeline } from '../timeline/provider-timeline';
import { PCMU, tone } from './audio-codec';
import { interimPrefixes } from './scripted-caller';
import { eventually } from './testing/eventually';
import { MediaPeer } from './testing/media-peer';
import { ReceivedWebhook, WebhookInbox } from './testing/webhook-inbox';
import { TelnyxSimulator } from './telnyx.simulator';

/**
 * A whole scripted call against a fake gateway written here: it answers through the SDK with a
 * bidirectional stream, and the test decides when it sends audio. The simulator runs on a fake clock
 * (its epoch at real "now", so the SDK accepts the webhook timestamps): every frame arrives at a
 * known instant, so the report's numbers are exact.
 */
describe('ScriptedCaller: a scripted call measured by the ear', () => {
  let clock: FakeClock;
  let t0: number;
  let timeline: ProviderTimeline;
  let sim: TelnyxSimulator;
  let inbox: WebhookInbox;
  let peer: MediaPeer;
  let sdk: Telnyx;
  let streamUrl: string;
  const at = (ms: number) => t0 + ms;

  beforeEach(async () => {
    clock = new FakeClock(0, Date.now());
    t0 = clock.epochNow();
    timeline = new ProviderTimeline();
    sim = new TelnyxSimulator({ clock, timeline, callerAudio: 'silence', caller: { pauseMs: 600, interimIntervalMs: 50, interimSteps: 2 } });
    const { baseUrl } = await sim.start();
    sdk = new Telnyx({ apiKey: 'KEY_GATEWAY', baseURL: baseUrl });
    inbox = new WebhookInbox(new Telnyx({ apiKey: 'KEY_GATEWAY', publicKey: sim.publicKeyBase64 }));
    sim.setWebhookUrl(await inbox.start());
    peer = new MediaPeer();
    streamUrl = await peer.start();
    inbox.onEvent = (webhook) => void gateway(webhook);
  });

  afterEach(async () => {
    await sim.close();
    await inbox.close();
    await peer.close();
  });

  /** The fake call-gateway: answer every call with media streaming and Google transcription with interims. */
  async function gateway({ event }: ReceivedWebhook): Promise<void> {
    if (event.data.event_type !== 'call.initiated') return;
    await sdk.calls.actions.answer(event.data.payload.call_control_id, {
      command_id: `${event.data.id}:answer`,
      stream_url: streamUrl,
      stream_track: 'inbound_track',
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'PCMU',
      transcription: true,
      transcription_config: { transcription_engine: 'Google', transcription_engine_config: { interim_results: true }, transcription_tracks: 'inbound' },
    });
  }

  /** Our playback-worker sending `count` 20 ms frames of speech now (fake time stands still meanwhile). */
  async function speakFrames(count: number): Promise<void> {
    const before = sim.calls()[0].stream!.stats.mediaReceived;
    for (let i = 0; i < count; i++) peer.sendAudio(tone(PCMU, 20));
    await eventually(() => sim.calls()[0].stream!.stats.mediaReceived === before + count, `${count} frames`);
  }

  async function advanceTo(ms: number): Promise<void> {
    await clock.advanceAsync(at(ms) - clock.epochNow(), 10);
  }

  const transcripts = () => inbox.received.filter((w) => w.event.data.event_type === 'call.transcription').map((w) => w.event.data.payload.transcription_data);

  it('measures the greeting, first audio per turn, gaps, the provider split and a barge-in, then hangs up', async () => {
    const { callId } = sim.placeCall({
      from: '+15550001111',
      to: '+15550002222',
      script: [{ text: 'I need a table for two' }, { text: 'Make it eight pm', bargeInAfterMs: 200 }],
    });
    await eventually(() => peer.frames('start').length === 1, 'the media stream');
    expect(peer.frames('start')[0].start.call_control_id).toBe(callId);

    // Greeting: 100 ms of speech at t=0. The caller speaks 600 ms after it ends: interims at 700 and 750, final at 800.
    await speakFrames(5);
    await advanceTo(800);
    await eventually(() => transcripts().length === 3, 'interims and final of utterance 1');
    expect(transcripts()).toEqual([
      { transcript: 'I need', is_final: false, confidence: 0.97, transcription_track: 'inbound' },
      { transcript: 'I need a table', is_final: false, confidence: 0.97, transcription_track: 'inbound' },
      { transcript: 'I need a table for two', is_final: true, confidence: 0.97, transcription_track: 'inbound' },
    ]);

    // Turn 1: the providers took 90 ms (LLM 50 + TTS 40); the first audio is heard at 950, then a 30 ms underrun.
    timeline.llmRequest(callId, 'turn-1', at(810));
    timeline.llmChunk(callId, 'turn-1', 'Sure, for two.', at(860));
    timeline.ttsText(callId, 'turn-1', 'Sure, for two.', at(860));
    timeline.ttsAudio(callId, 'turn-1', 160, at(900));
    await advanceTo(950);
    await speakFrames(5);
    await advanceTo(1080);
    await speakFrames(10);

    // Barge-in 200 ms after turn 1's audio started (t=1150); our side sends clear 20 ms later.
    await advanceTo(1150);
    await eventually(() => transcripts().length === 4, 'the barge-in interim');
    await advanceTo(1170);
    peer.send({ event: 'clear' });
    await eventually(() => sim.calls()[0].stream!.stats.clearsReceived === 1, 'the clear');
    await advanceTo(1250);
    await eventually(() => transcripts().length === 6, 'the barge-in final');

    timeline.llmRequest(callId, 'turn-2', at(1260));
    timeline.llmChunk(callId, 'turn-2', 'Eight it is.', at(1300));
    timeline.ttsText(callId, 'turn-2', 'Eight it is.', at(1300));
    timeline.ttsAudio(callId, 'turn-2', 160, at(1330));
    await advanceTo(1350);
    await speakFrames(5);

    // 600 ms after the last audio (ends 1450) the caller hangs up.
    await advanceTo(2049);
    expect(sim.report(callId).ended).toBe(false);
    await advanceTo(2050);
    const report = await sim.waitForCallEnd(callId, 1000);

    expect(report).toEqual({
      callId,
      direction: 'incoming',
      from: '+15550001111',
      to: '+15550002222',
      answeredAt: expect.any(Number),
      greeting: { firstHeardAt: at(0), gapsMs: [], maxAheadMs: 100, bursts: 0 },
      turns: [
        {
          index: 0,
          text: 'I need a table for two',
          bargeIn: false,
          transcribed: true,
          utteranceStartedAt: at(700),
          finalSentAt: at(800),
          firstHeardAt: at(950),
          firstAudioMs: 150,
          turnId: 'turn-1',
          providerMs: 90,
          overheadMs: 60,
          stagesMs: { llmRequest: 10, llmFirstTextDone: 60, ttsFirstText: 60, ttsFirstAudio: 100, firstHeard: 150 },
          gapsMs: [30],
          maxAheadMs: 200,
          bursts: 0,
        },
        {
          index: 1,
          text: 'Make it eight pm',
          bargeIn: true,
          transcribed: true,
          utteranceStartedAt: at(1150),
          finalSentAt: at(1250),
          firstHeardAt: at(1350),
          firstAudioMs: 100,
          turnId: 'turn-2',
          providerMs: 70,
          overheadMs: 30,
          stagesMs: { llmRequest: 10, llmFirstTextDone: 50, ttsFirstText: 50, ttsFirstAudio: 80, firstHeard: 100 },
          gapsMs: [],
          bargeInToSilenceMs: 20,
          maxAheadMs: 100,
          bursts: 0,
        },
      ],
      ended: true,
      hangupCause: 'normal_clearing',
      hangupSource: 'caller',
      clears: [{ at: at(1170), discardedMs: 110 }],
    });
    await eventually(() => inbox.find('call.hangup', callId), 'call.hangup');
    await eventually(() => peer.frames('stop').length === 1, 'the stop frame');
    expect(inbox.types(callId).filter((t) => t !== 'call.transcription')).toEqual([
      'call.initiated', 'call.answered', 'streaming.started', 'streaming.stopped', 'call.hangup',
    ]);
  });

  it('sends no transcription when the gateway did not start it, and DTMF both as webhook and on the stream', async () => {
    inbox.onEvent = ({ event }) => {
      if (event.data.event_type === 'call.initiated') {
        void sdk.calls.actions.answer(event.data.payload.call_control_id, { stream_url: streamUrl, stream_bidirectional_mode: 'rtp' });
      }
    };
    const { callId } = sim.placeCall({ from: '+15550001111', to: '+15550002222', script: [{ text: 'hello', dtmf: '12' }] });
    await eventually(() => peer.frames('start').length === 1, 'the media stream');
    await speakFrames(5);
    await advanceTo(700);
    await eventually(() => inbox.find('call.dtmf.received', callId), 'the first digit');
    await advanceTo(800);
    await eventually(() => peer.frames('dtmf').length === 2, 'both digits on the stream');
    expect(peer.frames('dtmf').map((f) => f.dtmf.digit)).toEqual(['1', '2']);
    await eventually(() => inbox.types(callId).filter((t) => t === 'call.dtmf.received').length === 2, 'both digit webhooks');
    expect(inbox.received.filter((w) => w.event.data.event_type === 'call.dtmf.received').map((w) => w.event.data.payload.digit)).toEqual(['1', '2']);
    await advanceTo(900);
    expect(sim.report(callId).turns[0]).toMatchObject({ transcribed: false, utteranceStartedAt: at(700), finalSentAt: at(900) });
    await sim.webhooksIdle();
    expect(inbox.find('call.transcription', callId)).toBeUndefined();
  });

  it('stops the script when the agent hangs up first', async () => {
    const { callId } = sim.placeCall({ from: '+15550001111', to: '+15550002222', script: [{ text: 'one' }, { text: 'two' }] });
    await eventually(() => peer.frames('start').length === 1, 'the media stream');
    await speakFrames(5);
    await sdk.calls.actions.hangup(callId, {});
    const report = await sim.waitForCallEnd(callId, 1);
    expect(report).toMatchObject({ ended: true, hangupCause: 'normal_clearing', hangupSource: 'callee', turns: [] });
    await clock.advanceAsync(5_000, 500);
    expect(sim.report(callId).turns).toEqual([]);
    await eventually(() => peer.frames('stop').length === 1, 'the stop frame');
  });

  it('hangs up with originator_cancel when nobody answers', async () => {
    inbox.onEvent = () => undefined;
    const { callId } = sim.placeCall({ from: '+15550001111', to: '+15550002222', script: [{ text: 'hello?' }] });
    await clock.advanceAsync(10_000, 1000);
    const report = await sim.waitForCallEnd(callId, 1);
    expect(report).toMatchObject({ ended: true, hangupCause: 'originator_cancel', hangupSource: 'caller', turns: [] });
  });

  it('grows interim transcripts a few words at a time', () => {
    expect(interimPrefixes('I need a table for two', 2)).toEqual(['I need', 'I need a table']);
    expect(interimPrefixes('yes', 2)).toEqual([]);
  });
});
