import { DEFAULT_ELEVENLABS_API_KEY, WS_CLOSE_REASON_MAX_BYTES } from './elevenlabs.constants';
import { ElevenLabsSimulator } from './elevenlabs.simulator';
import { ElevenLabsSimulatorOptions } from './elevenlabs.options';
import { TestSocket, sleep } from './ws-test-client.harness';

const VOICE = { stability: 0.5, similarity_boost: 0.8 };
const QUERY = 'model_id=eleven_flash_v2_5&output_format=ulaw_8000&auto_mode=true';
const SLACK_MS = 150;

const IDLE_REASON_START = 'Have not received a new text input within the timeout of';
const MAX_CONTEXTS_MESSAGE =
  'Maximum simultaneous contexts per WebSocket connection exceeded (5). Please close an existing context before opening a new one.';
const SETTINGS_REASON = 'voice_settings field must be provided in the first message and then either be not provided or not change.';

describe('ElevenLabsSimulator multi-stream-input limits and errors', () => {
  let sim: ElevenLabsSimulator;
  let base: string;
  const sockets: TestSocket[] = [];

  async function startSim(options: ElevenLabsSimulatorOptions = {}): Promise<void> {
    sim = new ElevenLabsSimulator({ handshakeLatencyMs: 5, firstByteLatencyMs: 10, ...options });
    base = (await sim.start()).url.replace('http', 'ws');
  }

  function connect(query = QUERY, headers: Record<string, string> = { 'xi-api-key': DEFAULT_ELEVENLABS_API_KEY }): TestSocket {
    const socket = new TestSocket(`${base}/v1/text-to-speech/voice-1/multi-stream-input?${query}`, headers);
    sockets.push(socket);
    return socket;
  }

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await sim.close();
  });

  it('refuses a sixth live context with max_active_conversations and closes 1008', async () => {
    await startSim();
    const ws = connect();
    await ws.opened;
    for (let i = 1; i <= 5; i++) ws.send({ text: ' ', context_id: `t${i}`, voice_settings: VOICE });
    await sleep(50);
    expect(sim.liveContextCount()).toBe(5);
    ws.send({ text: ' ', context_id: 't6', voice_settings: VOICE });
    const closed = await ws.waitClosed();
    expect(ws.messages()).toEqual([{ message: MAX_CONTEXTS_MESSAGE, error: 'max_active_conversations', code: 1008 }]);
    expect(closed.code).toBe(1008);
    // The message is 127 bytes: the close reason carries its first 123, as a close frame must.
    expect(Buffer.byteLength(closed.reason)).toBe(WS_CLOSE_REASON_MAX_BYTES);
    expect(MAX_CONTEXTS_MESSAGE.startsWith(closed.reason)).toBe(true);
  });

  it('counts a closing context against the limit until its isFinal is out', async () => {
    await startSim({ firstByteLatencyMs: 200 });
    const ws = connect();
    await ws.opened;
    for (let i = 1; i <= 5; i++) ws.send({ text: ' ', context_id: `t${i}`, voice_settings: VOICE });
    ws.send({ text: 'Still speaking. ', context_id: 't1', flush: true });
    ws.send({ context_id: 't1', close_context: true });
    ws.send({ text: ' ', context_id: 't6', voice_settings: VOICE }); // t1 is still generating
    expect((await ws.waitClosed()).code).toBe(1008);
  });

  it('frees the slot once close_context has produced isFinal', async () => {
    await startSim();
    const ws = connect();
    await ws.opened;
    for (let i = 1; i <= 5; i++) ws.send({ text: ' ', context_id: `t${i}`, voice_settings: VOICE });
    ws.send({ context_id: 't1', close_context: true });
    await ws.waitFor((m) => m.isFinal === true && m.contextId === 't1');
    ws.send({ text: ' ', context_id: 't6', voice_settings: VOICE });
    await sleep(50);
    expect(sim.liveContextCount()).toBe(5);
    expect(sim.openSocketCount()).toBe(1);
  });

  it('closes 1008 with the input-timeout reason when an open context gets nothing for the idle timeout', async () => {
    await startSim({ contextIdleTimeoutMs: 200, socketIdleTimeoutMs: 5_000 });
    const ws = connect();
    await ws.opened;
    const openedAt = performance.now();
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    const closed = await ws.waitClosed();
    const elapsed = performance.now() - openedAt;
    expect(elapsed).toBeGreaterThanOrEqual(199);
    expect(elapsed).toBeLessThan(200 + SLACK_MS);
    expect(closed.code).toBe(1008);
    expect(closed.reason.startsWith(`${IDLE_REASON_START} 0.2 seconds.`)).toBe(true);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(WS_CLOSE_REASON_MAX_BYTES);
    expect(ws.messages()[0]).toMatchObject({ error: 'input_timeout_exceeded', code: 1008 });
  });

  it('keeps an open context alive with {"text":""} keepalives', async () => {
    await startSim({ contextIdleTimeoutMs: 150, socketIdleTimeoutMs: 5_000 });
    const ws = connect();
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    for (let i = 0; i < 5; i++) {
      await sleep(80);
      ws.send({ text: '', context_id: 't1' });
    }
    expect(sim.openSocketCount()).toBe(1);
    expect(sim.liveContextCount()).toBe(1);
  });

  it('uses inactivity_timeout (in seconds) for the socket and its contexts, as documented', async () => {
    await startSim();
    const ws = connect(`${QUERY}&inactivity_timeout=1`);
    await ws.opened;
    const openedAt = performance.now();
    const closed = await ws.waitClosed(3_000);
    expect(performance.now() - openedAt).toBeGreaterThanOrEqual(999);
    expect(closed.reason.startsWith(`${IDLE_REASON_START} 1 seconds.`)).toBe(true);
  });

  it('can drop only the idle context instead of the socket', async () => {
    await startSim({ contextIdleTimeoutMs: 100, socketIdleTimeoutMs: 5_000, contextTimeoutBehavior: 'close-context' });
    const ws = connect();
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    await sleep(100 + SLACK_MS);
    expect(sim.liveContextCount()).toBe(0);
    expect(sim.openSocketCount()).toBe(1);
  });

  it('treats {"text":""} without a context id as a socket keepalive that opens no context', async () => {
    await startSim({ socketIdleTimeoutMs: 150, contextIdleTimeoutMs: 5_000 });
    const ws = connect();
    await ws.opened;
    for (let i = 0; i < 4; i++) {
      await sleep(80);
      ws.send({ text: '' });
    }
    expect(sim.openSocketCount()).toBe(1);
    expect(sim.liveContextCount()).toBe(0);
  });

  it('without auto_mode holds unflushed text under the chunk schedule, and generates it on flush', async () => {
    await startSim();
    const ws = connect('output_format=ulaw_8000');
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    ws.send({ text: 'Short text under the first threshold. ', context_id: 't1' });
    await sleep(100);
    expect(ws.messages()).toEqual([]);
    ws.send({ text: '', context_id: 't1', flush: true });
    await ws.waitFor((m) => typeof m.audio === 'string');
  });

  it('rejects the real opening (1008) after a keepalive was sent for a context not yet opened', async () => {
    await startSim();
    const ws = connect();
    await ws.opened;
    ws.send({ text: '', context_id: 't1' }); // becomes t1's first message, without voice settings
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    const closed = await ws.waitClosed();
    expect(closed).toEqual({ code: 1008, reason: SETTINGS_REASON });
    expect(ws.messages()[0]).toMatchObject({ message: SETTINGS_REASON, code: 1008 });
  });

  it('accepts voice_settings repeated unchanged, rejects them changed', async () => {
    await startSim();
    const ws = connect();
    await ws.opened;
    ws.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    ws.send({ text: 'Hello. ', context_id: 't1', voice_settings: { ...VOICE } });
    await sleep(50);
    expect(sim.openSocketCount()).toBe(1);
    ws.send({ text: 'Hello. ', context_id: 't1', voice_settings: { ...VOICE, stability: 0.9 } });
    expect((await ws.waitClosed()).code).toBe(1008);
  });

  it('closes 1008 on a wrong or missing key, and accepts the key in the first message instead of the header', async () => {
    await startSim();
    const wrong = connect(QUERY, { 'xi-api-key': 'nope' });
    expect(await wrong.waitClosed()).toEqual({ code: 1008, reason: 'Invalid API key' });
    expect(wrong.messages()).toEqual([{ message: 'Invalid API key', error: 'invalid_api_key', code: 1008 }]);

    const missing = connect(QUERY, {});
    await missing.opened;
    missing.send({ text: ' ', context_id: 't1', voice_settings: VOICE });
    expect((await missing.waitClosed()).code).toBe(1008);

    const inMessage = connect(QUERY, {});
    await inMessage.opened;
    inMessage.send({ text: ' ', context_id: 't1', voice_settings: VOICE, xi_api_key: DEFAULT_ELEVENLABS_API_KEY });
    inMessage.send({ text: 'Hi. ', context_id: 't1', flush: true });
    await inMessage.waitFor((m) => typeof m.audio === 'string');
  });

  it('refuses unknown output formats and out-of-range inactivity_timeout with 1008', async () => {
    await startSim();
    for (const query of ['output_format=wav_8000', 'output_format=ulaw_8000&inactivity_timeout=181', 'output_format=opus_48000_64']) {
      const ws = connect(query);
      const closed = await ws.waitClosed();
      expect(closed.code).toBe(1008);
      expect(ws.messages()[0]).toMatchObject({ error: 'invalid_request', code: 1008 });
    }
  });
});
