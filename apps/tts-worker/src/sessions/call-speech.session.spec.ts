import { FakeClock } from '@app/clock';
import { agentSchema } from '@app/config';
import { AudioChunkMessage, AudioEndMessage } from '@app/contracts';
import { ElevenLabsSimulator } from '../../../sandbox/src/elevenlabs';
import { advance, waitFor } from '../elevenlabs/testing/session-harness';
import { AudioLog, problemsOf } from '../testing/audio-log.harness';
import { AudioSink } from './audio.publisher';
import { CallSpeechSession } from './call-speech.session';
import { SpeechHooks } from './speech-output';

/**
 * One call's speech against the ElevenLabs simulator, both on one FakeClock: minutes of a call run in
 * seconds, the simulator as strict as the service (20 s per-context idle timeout, socket idle timeout).
 */
const KEY = 'sim-key';
const CALL = 'v3:session-call';
const S = ['Thanks for calling, this is the test line.', 'We are open from nine until six on weekdays.', 'Anything else?'];

describe('CallSpeechSession (simulator, fake clock)', () => {
  let clock: FakeClock;
  let simulator: ElevenLabsSimulator;
  let session: CallSpeechSession;
  let entries: Array<AudioChunkMessage | AudioEndMessage>;
  const counts = { reconnect: 0, fallback: 0, opened: 0, closed: 0, ttfb: 0 };

  async function start(tts: Record<string, unknown> = {}): Promise<void> {
    clock = new FakeClock();
    simulator = new ElevenLabsSimulator({ clock, apiKey: KEY, handshakeLatencyMs: 300, firstByteLatencyMs: 150, contextIdleTimeoutMs: 20_000 });
    const { url } = await simulator.start();
    entries = [];
    const sink: AudioSink = {
      chunk: async (o) => void entries.push({ type: 'audio', callId: CALL, turnId: o.turnId, seq: o.seq, chunk: o.chunk, format: 'ulaw_8000', payload: o.audio.toString('base64'), fence: 1, text: o.text, at: 0 }),
      sentenceEnd: async (turnId, seq, chunks, last) => void entries.push({ type: 'audio.end', callId: CALL, turnId, seq, chunks, last, fence: 1, at: 0 }),
    };
    const hooks: SpeechHooks = {
      ttfb: () => void counts.ttfb++,
      socketOpened: () => void counts.opened++,
      socketClosed: () => void counts.closed++,
      reconnect: () => void counts.reconnect++,
      fallback: () => void counts.fallback++,
    };
    Object.assign(counts, { reconnect: 0, fallback: 0, opened: 0, closed: 0, ttfb: 0 });
    const agent = agentSchema.parse({ id: 'a', tts });
    session = new CallSpeechSession({ callId: CALL, agent, baseUrl: url, apiKey: KEY, audio: sink, clock, logger: silent, marks: { stamp: () => undefined }, hooks });
  }

  afterEach(async () => {
    await session?.close();
    await simulator?.close();
  });

  const log = () => new AudioLog([...entries]);
  async function speak(turnId: string, texts: string[], pauseMs = 0): Promise<void> {
    for (let seq = 0; seq < texts.length; seq++) {
      if (seq > 0 && pauseMs > 0) await advance(clock, pauseMs);
      session.sentence({ turnId, seq, text: texts[seq], last: seq === texts.length - 1 });
    }
    for (let i = 0; i < 100 && !log().turnComplete(turnId); i++) await advance(clock, 100, 100);
    expect(problemsOf(log(), turnId, texts)).toEqual([]);
  }

  it('a 10-minute call with long pauses keeps its one session: no idle close, every turn heard whole', async () => {
    await start();
    session.open();
    await advance(clock, 1_000, 100);
    await waitFor(() => simulator.openSocketCount() === 1, 'warm socket');
    await speak('1', S);
    await advance(clock, 240_000); // four minutes of the caller thinking: no context open
    await speak('2', S, 45_000); // the answer stalls 45 s between sentences: its context must be kept alive
    await advance(clock, 300_000);
    await speak('3', S.slice(0, 1));
    expect(clock.now()).toBeGreaterThanOrEqual(600_000);

    const sockets = simulator.sockets();
    // The service never closed a socket for idleness: idle sockets were replaced before, by us.
    expect(sockets.filter((s) => s.closeCode === 1008)).toEqual([]);
    expect(sockets.filter((s) => s.state === 'open')).toHaveLength(1);
    expect(counts).toMatchObject({ reconnect: 0, fallback: 0 });
    expect(counts.opened - counts.closed).toBe(1);
    // Keepalives went only to the context open during the stall (turn 2), never to an unopened one.
    const keepalives = sockets.flatMap((s) => (s.received as Array<Record<string, unknown>>).filter((m) => m.text === '' && m.context_id));
    expect(keepalives.length).toBeGreaterThanOrEqual(3);
    expect(new Set(keepalives.map((m) => m.context_id))).toEqual(new Set(['2']));
  });

  it('a sentence delivered twice is spoken once; a cancelled turn says nothing more', async () => {
    await start();
    session.open();
    await advance(clock, 1_000, 100);
    session.sentence({ turnId: '1', seq: 0, text: S[0], last: false });
    session.sentence({ turnId: '1', seq: 0, text: S[0], last: false }); // redelivered
    session.sentence({ turnId: '1', seq: 1, text: S[1], last: true });
    for (let i = 0; i < 100 && !log().turnComplete('1'); i++) await advance(clock, 100, 100);
    expect(problemsOf(log(), '1', S.slice(0, 2))).toEqual([]);
    expect(log().published('1').get('0/0')).toBe(1);

    session.sentence({ turnId: '2', seq: 0, text: S[0], last: false });
    await advance(clock, 300, 100);
    session.cancel('2');
    const before = entries.length;
    session.sentence({ turnId: '2', seq: 1, text: S[1], last: true });
    await advance(clock, 5_000, 100);
    expect(entries.slice(before)).toEqual([]);
    expect(session.busy()).toBe(false);
  });

  it('resumes a taken-over turn: an ended sentence is not said again, a half-said one continues', async () => {
    await start({ usePersistentTts: false }); // over REST, whose audio of a text is exactly reproducible
    const half = 4;
    session.resume([
      { turnId: '7', seq: 0, text: S[0], last: false, published: { chunks: 11, bytes: 22_936, done: true } },
      { turnId: '7', seq: 1, text: S[1], last: true, published: { chunks: half, bytes: half * 2_000, done: false } },
    ]);
    for (let i = 0; i < 100 && !log().turnComplete('7'); i++) await advance(clock, 100, 100);
    expect(entries.filter((e) => e.seq === 0)).toEqual([]);
    const chunks = entries.filter((e): e is AudioChunkMessage => e.type === 'audio').map((e) => e.chunk);
    expect(chunks[0]).toBe(half);
    const bytes = entries.filter((e): e is AudioChunkMessage => e.type === 'audio').reduce((n, e) => n + Buffer.from(e.payload, 'base64').length, 0);
    expect(bytes).toBe(24_000 - half * 2_000);
    expect(entries[entries.length - 1]).toMatchObject({ type: 'audio.end', seq: 1, chunks: expect.any(Number), last: true });
  });
});

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
