import { DEFAULT_ELEVENLABS_API_KEY } from './elevenlabs.constants';
import { ElevenLabsSimulator } from './elevenlabs.simulator';
import { TestSocket, sleep } from './ws-test-client.harness';

const FIRST_BYTE_MS = 20;
const SLACK_MS = 120;
const VOICE = { stability: 0.5, similarity_boost: 0.8 };
const LONG = 'This sentence is long enough to be streamed in many chunks. ';

describe('ElevenLabsSimulator fault injection', () => {
  let sim: ElevenLabsSimulator;
  let base: string;
  const sockets: TestSocket[] = [];

  beforeEach(async () => {
    sim = new ElevenLabsSimulator({ handshakeLatencyMs: 5, firstByteLatencyMs: FIRST_BYTE_MS });
    base = (await sim.start()).url.replace('http', 'ws');
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await sim.close();
  });

  function connect(callId = 'call-1'): TestSocket {
    const socket = new TestSocket(`${base}/v1/text-to-speech/v/multi-stream-input?output_format=ulaw_8000&auto_mode=true`, {
      'xi-api-key': DEFAULT_ELEVENLABS_API_KEY,
      'x-call-id': callId,
    });
    sockets.push(socket);
    return socket;
  }

  async function speak(ws: TestSocket, text = LONG, id = 't1'): Promise<void> {
    await ws.opened;
    ws.send({ text: ' ', context_id: id, voice_settings: VOICE });
    ws.send({ text, context_id: id, flush: true });
  }

  it('drops the socket mid-sentence (1006, no close frame) after the given number of chunks', async () => {
    const ws = connect();
    sim.dropSocketMidSentence(2);
    await speak(ws);
    const closed = await ws.waitClosed();
    expect(closed.code).toBe(1006);
    expect(ws.messages().filter((m) => m.audio)).toHaveLength(2);
    expect(sim.openSocketCount()).toBe(0);
    expect(sim.liveContextCount()).toBe(0);
  });

  it.each([
    [1011, 'internal error'],
    [1012, 'service restart'],
  ])('closes mid-sentence with %i', async (code, reason) => {
    const ws = connect();
    sim.closeSocketMidSentence(code, reason, 1);
    await speak(ws);
    expect(await ws.waitClosed()).toEqual({ code, reason });
    expect(ws.messages().filter((m) => m.audio)).toHaveLength(1);
  });

  it('a mid-sentence fault never fires on a generation too short to be cut', async () => {
    const ws = connect();
    sim.dropSocketMidSentence(3);
    await speak(ws, 'Hi. '); // 333 ms → 2 chunks: nothing left after the 3rd
    await ws.waitFor((m) => m.audio !== undefined);
    await sleep(200);
    expect(sim.openSocketCount()).toBe(1);
  });

  it('closes or drops every open socket on demand', async () => {
    const a = connect('a');
    const b = connect('b');
    await Promise.all([a.opened, b.opened]);
    expect(sim.openSocketCount()).toBe(2);
    sim.closeAllSockets(1012, 'restart');
    expect((await a.waitClosed()).code).toBe(1012);
    expect((await b.waitClosed()).code).toBe(1012);

    const c = connect('c');
    await c.opened;
    sim.terminateAllSockets();
    expect((await c.waitClosed()).code).toBe(1006);
  });

  it('refuses the next N connections with an HTTP status, or by resetting the TCP connection', async () => {
    sim.refuseNextConnections(2, 503);
    await expect(connect().opened).rejects.toThrow('HTTP 503');
    await expect(connect().opened).rejects.toThrow('HTTP 503');
    await connect().opened;

    sim.refuseNextConnections(1);
    await expect(connect().opened).rejects.toThrow();
    await connect().opened;
  });

  it('slows the first byte of the next N generations only', async () => {
    const ws = connect();
    await ws.opened;
    sim.slowNextFirstBytes(1, 150);
    ws.send({ text: ' ', context_id: 'slow', voice_settings: VOICE });
    let sentAt = performance.now();
    ws.send({ text: 'Hi. ', context_id: 'slow', flush: true });
    const slow = await ws.waitFor((m) => m.contextId === 'slow' && m.audio !== undefined);
    expect(slow.at - sentAt).toBeGreaterThanOrEqual(FIRST_BYTE_MS + 150 - 1);

    ws.send({ text: ' ', context_id: 'fast', voice_settings: VOICE });
    sentAt = performance.now();
    ws.send({ text: 'Hi. ', context_id: 'fast', flush: true });
    const fast = await ws.waitFor((m) => m.contextId === 'fast' && m.audio !== undefined);
    expect(fast.at - sentAt).toBeLessThan(FIRST_BYTE_MS + SLACK_MS);
    expect(fast.at - sentAt).toBeLessThan(FIRST_BYTE_MS + 150);
  });

  it('reports live contexts and open sockets so tests can assert there is no leak', async () => {
    const ws = connect();
    await ws.opened;
    ws.send({ text: ' ', context_id: 'a', voice_settings: VOICE });
    ws.send({ text: ' ', context_id: 'b', voice_settings: VOICE });
    await sleep(30);
    const [info] = sim.sockets();
    expect(info.liveContexts).toEqual(['a', 'b']);
    expect(sim.liveContextCount(info.id)).toBe(2);
    ws.send({ context_id: 'a', close_context: true });
    ws.send({ context_id: 'b', close_context: true });
    await ws.waitFor((m) => m.isFinal === true && m.contextId === 'b');
    expect(sim.liveContextCount(info.id)).toBe(0);
    expect(sim.receivedMessages(info.id)).toEqual([
      { text: ' ', context_id: 'a', voice_settings: VOICE },
      { text: ' ', context_id: 'b', voice_settings: VOICE },
      { context_id: 'a', close_context: true },
      { context_id: 'b', close_context: true },
    ]);
  });
});
