import { ConnectionRecord, ProviderTimeline } from '../timeline/provider-timeline';
import { DEFAULT_ELEVENLABS_API_KEY } from './elevenlabs.constants';
import { ElevenLabsSimulator } from './elevenlabs.simulator';
import { ElevenLabsSimulatorOptions } from './elevenlabs.options';
import { ulawToLinear } from './ulaw.codec';
import { Json, TestSocket, sleep } from './ws-test-client.harness';

/** Small latencies keep the suite fast; the bounds below are what makes each test able to fail. */
const HANDSHAKE_MS = 40;
const FIRST_BYTE_MS = 50;
const SPEED = 4;
/** Timer slack on a shared 2-core CI machine: late is tolerated up to this, early never. */
const SLACK_MS = 120;

const VOICE = { stability: 0.5, similarity_boost: 0.8 };
/** Bytes of `chars` characters at 15 chars/s, as the simulator sizes audio: whole ms, whole samples. */
const bytesFor = (chars: number, sampleRate: number, bytesPerSample: number) =>
  Math.round((Math.round((chars / 15) * 1000) * sampleRate) / 1000) * bytesPerSample;
const QUERY = 'model_id=eleven_flash_v2_5&output_format=ulaw_8000&inactivity_timeout=180&auto_mode=true&sync_alignment=true';

class RecordingTimeline extends ProviderTimeline {
  readonly connects: { callId: string; startedAt: number; openedAt?: number }[] = [];
  override ttsConnectStarted(callId: string, at?: number): ConnectionRecord {
    const record = super.ttsConnectStarted(callId, at);
    this.connects.push(record);
    return record;
  }
}

describe('ElevenLabsSimulator multi-stream-input', () => {
  let sim: ElevenLabsSimulator;
  let base: string;
  let timeline: RecordingTimeline;
  const sockets: TestSocket[] = [];

  async function startSim(options: ElevenLabsSimulatorOptions = {}): Promise<void> {
    timeline = new RecordingTimeline();
    sim = new ElevenLabsSimulator({ handshakeLatencyMs: HANDSHAKE_MS, firstByteLatencyMs: FIRST_BYTE_MS, generationSpeed: SPEED, timeline, ...options });
    base = (await sim.start()).url.replace('http', 'ws');
  }

  function connect(query = QUERY, callId = 'call-1'): TestSocket {
    const socket = new TestSocket(`${base}/v1/text-to-speech/voice-1/multi-stream-input?${query}`, {
      'xi-api-key': DEFAULT_ELEVENLABS_API_KEY,
      'x-call-id': callId,
    });
    sockets.push(socket);
    return socket;
  }

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await sim.close();
  });

  it('speaks a flushed sentence, then answers close_context with isFinal, in the documented shapes', async () => {
    await startSim();
    const ws = connect();
    await ws.opened;
    const sent = [
      { text: ' ', context_id: 't1', voice_settings: VOICE, generation_config: { chunk_length_schedule: [50] } },
      { text: 'Hello there. ', context_id: 't1', flush: true },
      { context_id: 't1', close_context: true },
    ];
    for (const m of sent) ws.send(m);
    await ws.waitFor((m) => m.isFinal === true);

    const messages = ws.messages();
    const audio = messages.slice(0, -1);
    expect(audio.length).toBeGreaterThan(2); // several chunks, not one blob
    for (const m of audio) {
      expect(Object.keys(m).sort()).toEqual(['alignment', 'audio', 'contextId', 'normalizedAlignment']);
      expect(m.contextId).toBe('t1');
      const alignment = m.alignment as { chars: string[]; charStartTimesMs: number[]; charDurationsMs: number[] };
      expect(alignment.charStartTimesMs).toHaveLength(alignment.chars.length);
      expect(alignment.charDurationsMs).toHaveLength(alignment.chars.length);
      expect(alignment.charStartTimesMs[0]).toBeLessThan(250); // relative to the chunk, not the stream
    }
    const spoken = audio.map((m) => (m.alignment as { chars: string[] }).chars.join('')).join('');
    expect(spoken).toBe(' Hello there. '); // the opening space is part of the text, as the service aligns it
    expect(messages[messages.length - 1]).toEqual({ isFinal: true, contextId: 't1' });

    // 14 characters at 15 chars/s = 933 ms of 8 kHz μ-law: one byte per sample.
    const bytes = ws.audioOf('t1');
    expect(bytes.length).toBe(bytesFor(14, 8000, 1));
    const peak = Math.max(...Array.from(bytes, (b) => Math.abs(ulawToLinear(b))));
    expect(peak).toBeGreaterThan(5000);

    const [socket] = sim.sockets();
    expect(socket.received).toEqual(sent);
    expect(sim.liveContextCount(socket.id)).toBe(0);
  });

  it('sends no isFinal for a bare flush, only once the context is closed', async () => {
    await startSim({ firstByteLatencyMs: 10 });
    const ws = connect();
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    ws.send({ text: 'Hi. ', context_id: 't1', flush: true });
    await ws.waitFor((m) => m.audio !== undefined);
    await sleep(300); // 5 chars = 333 ms of audio at 4x: all sent by now
    expect(ws.messages().some((m) => 'isFinal' in m || 'is_final' in m)).toBe(false);
    expect(sim.liveContextCount()).toBe(1);
    ws.send({ context_id: 't1', close_context: true });
    await ws.waitFor((m) => m.isFinal === true);
    expect(sim.liveContextCount()).toBe(0);
  });

  it('takes the handshake latency before open, the first-byte latency after a flush, and streams at the generation speed', async () => {
    await startSim({ audioChunkMs: 250 });
    const ws = connect();
    const openedAt = await ws.opened;
    expect(openedAt - ws.startedAt).toBeGreaterThanOrEqual(HANDSHAKE_MS - 1);
    expect(openedAt - ws.startedAt).toBeLessThan(HANDSHAKE_MS + SLACK_MS);

    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    await sleep(20);
    const flushedAt = performance.now();
    ws.send({ text: 'This sentence is thirty chars. ', context_id: 't1', flush: true }); // + opening space = 32 chars
    ws.send({ context_id: 't1', close_context: true });
    await ws.waitFor((m) => m.isFinal === true);
    const chunks = ws.received.filter((r) => typeof r.message.audio === 'string');
    const firstByte = chunks[0].at - flushedAt;
    expect(firstByte).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 1);
    expect(firstByte).toBeLessThan(FIRST_BYTE_MS + SLACK_MS);
    // 32 chars = 2133 ms of audio in 9 chunks; the last starts at 2000 ms of audio = 500 ms later at 4x.
    expect(chunks).toHaveLength(9);
    const lastAt = chunks[chunks.length - 1].at - flushedAt;
    expect(lastAt).toBeGreaterThanOrEqual(FIRST_BYTE_MS + 2000 / SPEED - 1);
    expect(lastAt).toBeLessThan(FIRST_BYTE_MS + 2000 / SPEED + SLACK_MS);
  });

  it('feeds the timeline: connection opened, first text and first audio per call and turn', async () => {
    await startSim();
    const ws = connect(QUERY, 'call-7');
    await ws.opened;
    ws.send({ text: ' ', context_id: 'turn-3', voice_settings: VOICE });
    ws.send({ text: 'Good morning. ', context_id: 'turn-3', flush: true });
    ws.send({ context_id: 'turn-3', close_context: true });
    await ws.waitFor((m) => m.isFinal === true);

    expect(timeline.connects).toHaveLength(1);
    const connect0 = timeline.connects[0];
    expect(connect0.callId).toBe('call-7');
    expect(connect0.openedAt! - connect0.startedAt).toBeGreaterThanOrEqual(HANDSHAKE_MS - 1);
    const turn = timeline.get('call-7', 'turn-3')!;
    expect(turn.ttsFirstText).toBe('Good morning. ');
    expect(turn.ttsFirstAudioAt! - turn.ttsFirstTextAt!).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 1);
    expect(turn.ttsFirstAudioAt! - turn.ttsFirstTextAt!).toBeLessThan(FIRST_BYTE_MS + SLACK_MS);
    expect(turn.ttsAudioBytes).toBe(ws.audioOf('turn-3').length);
    expect(timeline.providerMs('call-7', 'turn-3')).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 1);
  });

  it('can answer in the alternative spellings (context_id, is_final, charsDurationsMs)', async () => {
    await startSim({ spelling: { contextId: 'context_id', isFinal: 'is_final', charDurations: 'charsDurationsMs' } });
    const ws = connect();
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    ws.send({ text: 'Hi. ', context_id: 't1', flush: true });
    ws.send({ context_id: 't1', close_context: true });
    await ws.waitFor((m) => m.is_final === true);
    const [first] = ws.messages();
    expect(Object.keys(first).sort()).toEqual(['alignment', 'audio', 'context_id', 'normalizedAlignment']);
    expect(Object.keys(first.alignment as Json).sort()).toEqual(['charStartTimesMs', 'chars', 'charsDurationsMs']);
    expect(ws.messages().pop()).toEqual({ is_final: true, context_id: 't1' });
  });

  it('without sync_alignment puts the whole timing on the first chunk and none on the rest', async () => {
    await startSim({ firstByteLatencyMs: 5 });
    const ws = connect('output_format=pcm_16000&auto_mode=true');
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    ws.send({ text: 'One two three. ', context_id: 't1', flush: true });
    ws.send({ context_id: 't1', close_context: true });
    await ws.waitFor((m) => m.isFinal === true);
    const audio = ws.messages().filter((m) => m.audio);
    expect((audio[0].alignment as { chars: string[] }).chars.join('')).toBe(' One two three. ');
    expect(audio.slice(1).every((m) => m.alignment === null && m.normalizedAlignment === null)).toBe(true);
    // 16 chars → 1067 ms of 16-bit PCM at 16 kHz.
    expect(ws.audioOf('t1').length).toBe(bytesFor(16, 16000, 2));
  });

  it('keeps contexts apart: two turns interleave, each with its own audio and isFinal', async () => {
    await startSim({ firstByteLatencyMs: 5 });
    const ws = connect();
    await ws.opened;
    for (const id of ['a', 'b']) ws.send({ text: ' ', context_id: id, voice_settings: VOICE });
    ws.send({ text: 'First context speaking. ', context_id: 'a', flush: true });
    ws.send({ text: 'Second one. ', context_id: 'b', flush: true });
    ws.send({ context_id: 'b', close_context: true });
    await ws.waitFor((m) => m.isFinal === true && m.contextId === 'b');
    expect(sim.liveContextCount()).toBe(1);
    ws.send({ context_id: 'a', close_context: true });
    await ws.waitFor((m) => m.isFinal === true && m.contextId === 'a');
    expect(ws.audioOf('a').length).toBe(bytesFor(25, 8000, 1));
    expect(ws.audioOf('b').length).toBe(bytesFor(13, 8000, 1));
  });

  it('close_socket finishes flushed audio, sends each isFinal, then closes 1000', async () => {
    await startSim({ firstByteLatencyMs: 5 });
    const ws = connect();
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    ws.send({ text: 'Bye now. ', context_id: 't1', flush: true });
    ws.send({ close_socket: true });
    const closed = await ws.waitClosed();
    expect(closed.code).toBe(1000);
    expect(ws.messages().pop()).toEqual({ isFinal: true, contextId: 't1' });
    expect(sim.openSocketCount()).toBe(0);
  });
});
