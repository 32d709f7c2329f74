import { ProviderTimeline } from '../timeline/provider-timeline';
import { DEFAULT_ELEVENLABS_API_KEY } from './elevenlabs.constants';
import { ElevenLabsSimulator } from './elevenlabs.simulator';
import { TestSocket, sleep } from './ws-test-client.harness';

const FIRST_BYTE_MS = 40;
const SLACK_MS = 120;
const VOICE = { stability: 0.5, similarity_boost: 0.8 };

describe('ElevenLabsSimulator stream-input', () => {
  let sim: ElevenLabsSimulator;
  let base: string;
  let timeline: ProviderTimeline;
  const sockets: TestSocket[] = [];

  beforeEach(async () => {
    timeline = new ProviderTimeline();
    sim = new ElevenLabsSimulator({ handshakeLatencyMs: 5, firstByteLatencyMs: FIRST_BYTE_MS, timeline, socketIdleTimeoutMs: 300 });
    base = (await sim.start()).url.replace('http', 'ws');
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await sim.close();
  });

  function connect(headers: Record<string, string>, query = 'model_id=eleven_flash_v2_5&output_format=ulaw_8000'): TestSocket {
    const socket = new TestSocket(`${base}/v1/text-to-speech/voice-1/stream-input?${query}`, headers);
    sockets.push(socket);
    return socket;
  }

  it('speaks flushed text, generates the rest at {"text":""}, then sends isFinal and closes 1000', async () => {
    const ws = connect({ 'x-call-id': 'call-1', 'x-turn-id': 'turn-1' });
    await ws.opened;
    ws.send({ text: ' ', voice_settings: VOICE, xi_api_key: DEFAULT_ELEVENLABS_API_KEY });
    const flushedAt = performance.now();
    ws.send({ text: 'First sentence. ', flush: true });
    ws.send({ text: 'Unflushed tail. ' });
    ws.send({ text: '' });
    const closed = await ws.waitClosed();
    expect(closed.code).toBe(1000);

    const messages = ws.messages();
    const audio = messages.slice(0, -1);
    for (const m of audio) expect(Object.keys(m).sort()).toEqual(['alignment', 'audio', 'isFinal', 'normalizedAlignment']);
    expect(audio.every((m) => m.isFinal === false)).toBe(true);
    expect(messages[messages.length - 1]).toEqual({ isFinal: true });
    // No sync_alignment: timing rides on each generation's first chunk; the two generations are the two texts.
    const timed = audio.filter((m) => m.alignment !== null).map((m) => (m.alignment as { chars: string[] }).chars.join(''));
    expect(timed).toEqual([' First sentence. ', 'Unflushed tail. ']);
    const firstAudio = ws.received[0].at - flushedAt;
    expect(firstAudio).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 1);
    expect(firstAudio).toBeLessThan(FIRST_BYTE_MS + SLACK_MS);

    const turn = timeline.get('call-1', 'turn-1')!;
    expect(turn.ttsFirstText).toBe('First sentence. ');
    expect(turn.ttsAudioBytes).toBe(ws.audioOf().length);
  });

  it('accepts the key spelled xi-api-key in the first message, or in the header', async () => {
    const dashed = connect({});
    await dashed.opened;
    dashed.send({ text: ' ', 'xi-api-key': DEFAULT_ELEVENLABS_API_KEY });
    dashed.send({ text: 'Hi. ', flush: true });
    await dashed.waitFor((m) => typeof m.audio === 'string');

    const header = connect({ 'xi-api-key': DEFAULT_ELEVENLABS_API_KEY });
    await header.opened;
    header.send({ text: ' ' });
    header.send({ text: 'Hi. ', flush: true });
    await header.waitFor((m) => typeof m.audio === 'string');
  });

  it('closes 1008 without a key, and on changed voice settings', async () => {
    const keyless = connect({});
    await keyless.opened;
    keyless.send({ text: ' ', voice_settings: VOICE });
    expect(await keyless.waitClosed()).toEqual({ code: 1008, reason: 'Invalid API key' });

    const changed = connect({ 'xi-api-key': DEFAULT_ELEVENLABS_API_KEY });
    await changed.opened;
    changed.send({ text: ' ', voice_settings: VOICE });
    changed.send({ text: 'Hi. ', voice_settings: { ...VOICE, speed: 1.1 } });
    expect((await changed.waitClosed()).code).toBe(1008);
  });

  it('times out after the idle timeout unless kept alive with {"text":" "}', async () => {
    const alive = connect({ 'xi-api-key': DEFAULT_ELEVENLABS_API_KEY });
    const idle = connect({ 'xi-api-key': DEFAULT_ELEVENLABS_API_KEY });
    await Promise.all([alive.opened, idle.opened]);
    alive.send({ text: ' ' });
    idle.send({ text: ' ' });
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      alive.send({ text: ' ' });
    }
    const closed = await idle.waitClosed();
    expect(closed.code).toBe(1008);
    expect(idle.messages()[0]).toMatchObject({ error: 'input_timeout_exceeded' });
    expect(sim.sockets().find((s) => s.state === 'open')).toBeDefined();
  });
});
