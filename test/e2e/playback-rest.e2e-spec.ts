import { spawnSync } from 'node:child_process';
import { BusMessage } from '@app/contracts';
import { AGENTS, PlaybackRig, until } from '../../apps/playback-worker/src/testing/playback-rig.harness';
import { CommandRecord, PCMU, toneAudio } from '../../apps/sandbox/src/telnyx';
import { eventually } from '../../apps/sandbox/src/telnyx/testing/eventually';

/**
 * REST playback through a real playback-worker and the system's ffmpeg: each sentence becomes an MP3
 * Telnyx (the simulator) is asked to play with `playback_content`, in order; and a call whose media
 * stream fails moves to REST without losing or repeating a sentence.
 */
jest.setTimeout(60_000);

/** How long the simulator plays each MP3 (it cannot decode them). */
const PLAYBACK_LENGTH_MS = 300;

const plays = (rig: PlaybackRig, callId: string): CommandRecord[] => rig.sim.commands(callId).filter((c) => c.command === 'playback_start');
const summary = (events: BusMessage[], turnId: string) =>
  events.flatMap((e) => ('turnId' in e && e.turnId === turnId ? [e.type === 'turn.heard' ? `heard "${e.text}"${e.complete ? ' complete' : ''}` : e.type] : []));

/** Decodes an MP3 with ffmpeg to 8 kHz 16-bit PCM: its duration (ms) and peak, or ffmpeg's complaint. */
function decodeMp3(mp3: Buffer): { ms: number; peak: number } {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'mp3', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '8000', 'pipe:1'], {
    input: mp3,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`ffmpeg could not decode: ${result.stderr.toString()}`);
  const pcm = result.stdout;
  let peak = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
  return { ms: pcm.length / 16, peak };
}

/** The worker's reports on the turn once it has finished playing. */
async function playedOut(rig: PlaybackRig, callId: string, turnId: string): Promise<string[]> {
  return until(async () => {
    const events = summary(await rig.playbackEvents(callId), turnId);
    return events.includes('playback.finished') && events;
  }, `turn ${turnId} to finish`, 10_000);
}

describe('playback-worker REST playback with real ffmpeg', () => {
  let rig: PlaybackRig;

  beforeAll(async () => {
    rig = await new PlaybackRig({ playbackLengthMs: PLAYBACK_LENGTH_MS }).start();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('plays each sentence as a valid MP3, in order, and reports the turn', async () => {
    const { callId } = await rig.placeCall(AGENTS.rest);
    const [gapsBefore] = [await rig.metric('voice_gap_ms_count')];
    await rig.assign(callId, 'agent-setting');
    const texts = ['One.', 'Two.', 'Three.'];
    for (const [seq, text] of texts.entries()) {
      await rig.publishSentence(callId, { turnId: '1', seq, text, audio: toneAudio(PCMU, 500), chunkBytes: 800, last: seq === 2 });
    }
    await eventually(() => plays(rig, callId).length === 3, 'three playbacks', 10_000);
    expect(plays(rig, callId).map((c) => c.commandId)).toEqual([0, 1, 2].map((seq) => `${callId}:1:${seq}:play`));
    for (const command of plays(rig, callId)) {
      expect(command.body.audio_type).toBe('mp3');
      const mp3 = Buffer.from(String(command.body.playback_content), 'base64');
      expect(mp3[0]).toBe(0xff); // an MPEG audio frame sync, no ID3 tag
      expect(mp3[1] & 0xe0).toBe(0xe0);
      const decoded = decodeMp3(mp3);
      expect(decoded.ms).toBeGreaterThanOrEqual(490); // 500 ms, plus the encoder's delay and padding
      expect(decoded.ms).toBeLessThanOrEqual(600);
      expect(decoded.peak).toBeGreaterThan(4000); // the tone, not silence
    }
    expect(await playedOut(rig, callId, '1')).toEqual(['playback.started', 'playback.finished', 'heard "One. Two. Three." complete']);
    expect(await rig.metric('voice_gap_ms_count')).toBeGreaterThan(gapsBefore); // measured from playback events
    await rig.hangup(callId);
  });

  it('barge-in: stops all of Telnyx’s queue at once and reports the turn as cut', async () => {
    const { callId } = await rig.placeCall(AGENTS.rest);
    await rig.assign(callId, 'agent-setting');
    for (const seq of [0, 1, 2]) {
      await rig.publishSentence(callId, { turnId: '1', seq, text: `Sentence ${seq}.`, audio: toneAudio(PCMU, 500), last: seq === 2 });
    }
    await until(async () => summary(await rig.playbackEvents(callId), '1').includes('playback.started'), 'the first playback');
    await rig.cancel(callId, '1');
    await eventually(() => rig.sim.commands(callId).some((c) => c.command === 'playback_stop'), 'the stop');
    const stop = rig.sim.commands(callId).find((c) => c.command === 'playback_stop')!;
    expect(stop).toMatchObject({ commandId: `${callId}:1:stop`, body: expect.objectContaining({ stop: 'all' }) });
    await until(async () => summary(await rig.playbackEvents(callId), '1').some((e) => e.startsWith('heard')), 'the heard report');
    const events = summary(await rig.playbackEvents(callId), '1');
    expect(events).not.toContain('playback.finished');
    expect(events.find((e) => e.startsWith('heard'))).not.toMatch(/complete$/);
    await rig.hangup(callId);
  });

  it('moves a call whose media stream failed to REST, resuming after the last sentence heard', async () => {
    const { callId, call } = await rig.placeCall();
    const texts = ['First.', 'Second.', 'Third.'];
    for (const [seq, text] of texts.entries()) {
      await rig.publishSentence(callId, { turnId: '1', seq, text, audio: toneAudio(PCMU, 1000), chunkBytes: 1600, last: seq === 2 });
    }
    await eventually(() => call.stream!.marks.echoed.some((m) => m.name === '1:0'), 'sentence 0 to be heard', 5000);
    call.stream!.stop(); // the stream dies mid-sentence 1; Telnyx says streaming.failed, the gateway assigns
    await eventually(() => !rig.registry.get(callId), 'the worker to let the stream go');
    await rig.assign(callId, 'streaming-failed');

    expect(await playedOut(rig, callId, '1')).toEqual(['playback.started', 'playback.finished', 'heard "First. Second. Third." complete']);
    expect(plays(rig, callId).map((c) => c.commandId)).toEqual([`${callId}:1:1:play`, `${callId}:1:2:play`]);
    await rig.publishSentence(callId, { turnId: '2', seq: 0, text: 'Next.', audio: toneAudio(PCMU, 300), last: true });
    await eventually(() => plays(rig, callId).length === 3, 'the next turn over REST', 10_000);
    await rig.hangup(callId);
  });

  it('moves a call to REST while its stream is still open, closing the stream itself', async () => {
    const { callId, call } = await rig.placeCall();
    for (const seq of [0, 1, 2]) {
      await rig.publishSentence(callId, { turnId: '1', seq, text: `S${seq}.`, audio: toneAudio(PCMU, 1000), chunkBytes: 1600, last: seq === 2 });
    }
    await eventually(() => call.stream!.marks.echoed.some((m) => m.name === '1:0'), 'sentence 0 to be heard', 5000);
    await rig.assign(callId, 'streaming-failed');
    await eventually(() => rig.registry.get(callId)?.mode === 'rest', 'the switch');
    await eventually(() => call.stream!.state === 'stopped', 'the worker to close the media socket');
    expect(await playedOut(rig, callId, '1')).toEqual(['playback.started', 'playback.finished', 'heard "S0. S1. S2." complete']);
    expect(plays(rig, callId).map((c) => c.commandId)).toEqual([`${callId}:1:1:play`, `${callId}:1:2:play`]);
    await rig.hangup(callId);
  });
});
