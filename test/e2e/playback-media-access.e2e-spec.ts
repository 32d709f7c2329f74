import WebSocket from 'ws';
import { signMediaToken } from '@app/contracts';
import { encodeG711 } from '../../apps/playback-worker/src/audio/g711.codec';
import { CallPlayback } from '../../apps/playback-worker/src/calls/call-playback';
import { PlaybackPacer } from '../../apps/playback-worker/src/calls/playback-pacer';
import { StallWatch, expectNoGapUnlessStalled } from '../../apps/playback-worker/src/testing/stall-watch.harness';
import { AGENTS, MEDIA_SECRET, PlaybackRig } from '../../apps/playback-worker/src/testing/playback-rig.harness';
import { GREETING_TURN, HeardSegment, PCMU, silenceAudio, toneAudio } from '../../apps/sandbox/src/telnyx';
import { eventually } from '../../apps/sandbox/src/telnyx/testing/eventually';

/**
 * A call whose phone leg is A-law (PCMA, common outside North America), played from μ-law and PCM TTS
 * audio and heard by an A-law ear; and strangers trying to attach to that call's media.
 */
jest.setTimeout(60_000);

const streamed = (segments: HeardSegment[]) => segments.filter((s) => s.source === 'stream').sort((a, b) => a.start - b.start);

/** 16-bit little-endian PCM at 16 kHz: a 440 Hz tone, as ElevenLabs' pcm_16000 delivers it. */
function pcm16kTone(ms: number): Buffer {
  const samples = new Int16Array(16 * ms).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
  return Buffer.from(samples.buffer);
}

interface Attempt {
  status?: number;
  close?: { code: number; reason: string };
}

/** A client that is not Telnyx: connects to the media path, and if let in, claims to carry `callId`. */
function intrude(url: string, callId: string): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.on('open', () => {
      ws.send(JSON.stringify({ event: 'connected', version: '1.0.0' }));
      ws.send(JSON.stringify({ event: 'start', start: { call_control_id: callId, media_format: { encoding: 'PCMU', sample_rate: 8000, channels: 1 } } }));
    });
    ws.on('close', (code, reason) => resolve({ close: { code, reason: reason.toString() } }));
    ws.on('error', () => undefined);
  });
}

describe('playback-worker media access and an A-law call', () => {
  let rig: PlaybackRig;

  beforeAll(async () => {
    rig = await new PlaybackRig({ callerCodec: 'PCMA' }).start();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('plays μ-law and PCM TTS audio to an A-law call as A-law (its μ-law silence stays silent)', async () => {
    const { callId, call } = await rig.placeCall(AGENTS.alaw, 'PCMA');
    expect(call.stream!.params.outboundCodec.name).toBe('PCMA');
    const watch = new StallWatch().start();
    const mulaw = Buffer.concat([silenceAudio(PCMU, 400), encodeG711('PCMU', new Int16Array(3200).map((_, i) => Math.round(8000 * Math.sin(i / 3))))]);
    await rig.publishSentence(callId, { turnId: '1', seq: 0, text: 'Hello.', audio: mulaw, chunkBytes: 800 });
    await rig.publishSentence(callId, { turnId: '1', seq: 1, text: 'World.', audio: pcm16kTone(200), format: 'pcm_16000', last: true });
    await eventually(() => call.stream!.marks.echoed.some((m) => m.name === '1:1:end'), 'the turn to play out', 5000);

    const frames = streamed(call.ear.heard(Infinity));
    expect(frames).toHaveLength(50);
    // Decoded as A-law by the ear: μ-law silence sent unconverted would be loud (0xFF is ~ +850 in A-law).
    expect(frames.map((f) => (f.audible ? 'x' : '.')).join('')).toBe('.'.repeat(20) + 'x'.repeat(30));
    watch.stop();
    expectNoGapUnlessStalled(call.ear.gapsMs(GREETING_TURN), rig.worker.app.get(PlaybackPacer).pacer.stats(callId)!, watch);
    const connection = (rig.registry.get(callId) as CallPlayback).connection;
    expect(connection.inboundCodec).toBe('PCMA'); // the caller's leg, from start.media_format
    await rig.hangup(callId);
  });

  it('refuses a second client without the token, with a wrong one, or with another call’s, and plays on', async () => {
    const { callId, call } = await rig.placeCall(AGENTS.alaw, 'PCMA');
    const watch = new StallWatch().start();
    await rig.publishSentence(callId, { turnId: '1', seq: 0, text: 'Long.', audio: toneAudio(PCMU, 2000), chunkBytes: 1600, last: true });
    await eventually(() => streamed(call.ear.heard(Infinity)).length > 10, 'the call to play');
    const playing = (rig.registry.get(callId) as CallPlayback).connection;

    expect(await intrude(rig.mediaUrl(callId, null), callId)).toEqual({ status: 401 });
    expect(await intrude(rig.mediaUrl(callId, 'not-the-token'), callId)).toEqual({ close: { code: 1008, reason: 'invalid token' } });
    const otherCallsToken = signMediaToken('v3:some-other-call', MEDIA_SECRET);
    expect(await intrude(rig.mediaUrl(callId, otherCallsToken), callId)).toEqual({ close: { code: 1008, reason: 'invalid token' } });

    expect((rig.registry.get(callId) as CallPlayback).connection).toBe(playing);
    await eventually(() => call.stream!.marks.echoed.some((m) => m.name === '1:0:end'), 'the turn to play out', 5000);
    expect(streamed(call.ear.heard(Infinity))).toHaveLength(100); // all of it, to the caller only
    expect(call.ear.clears).toEqual([]);
    watch.stop();
    expectNoGapUnlessStalled(call.ear.gapsMs(GREETING_TURN), rig.worker.app.get(PlaybackPacer).pacer.stats(callId)!, watch);
    await rig.hangup(callId);
  });
});
