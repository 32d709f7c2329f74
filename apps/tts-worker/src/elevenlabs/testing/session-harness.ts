import { FakeClock, flushMicrotasks } from '@app/clock';
import { ElevenLabsStreamSession } from '../tts-session';
import type { TtsError } from '../tts-errors';
import type {
  ElevenLabsSessionOptions,
  TtsAudioEvent,
  TtsFallbackEvent,
  TtsSentenceEndEvent,
  TtsStateChangeEvent,
  TtsTtfbEvent,
  TtsTurnEndEvent,
} from '../tts-session.types';
import { FakeElevenLabs, type FakeOptions } from './fake-elevenlabs.server';

/**
 * Everything a session test needs: a FakeClock, the fake service on a loopback port, a session wired
 * to both, and every event and log line it produced.
 */
export const API_KEY = 'sk-test-secret-key';
export const CALL_ID = 'v3:call-1';
export const VOICE_SETTINGS = { stability: 0.5, similarity_boost: 0.75 };

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  fields: Record<string, unknown>;
  message: string;
}

export interface Harness {
  clock: FakeClock;
  fake: FakeElevenLabs;
  session: ElevenLabsStreamSession;
  audio: TtsAudioEvent[];
  sentenceEnds: TtsSentenceEndEvent[];
  turnEnds: TtsTurnEndEvent[];
  ttfb: TtsTtfbEvent[];
  states: TtsStateChangeEvent[];
  errors: TtsError[];
  fallbacks: TtsFallbackEvent[];
  logs: LogLine[];
  /** audio / end / turnEnd events in the order they were emitted ("audio 1/0/0", "end 1/0", "turnEnd 1"). */
  timeline: string[];
  /** Audio of one sentence, decoded (the fake's audio bytes are text). */
  spoken(turnId: string, seq: number): string;
  stop(): Promise<void>;
}

export async function startHarness(
  fakeOptions: Partial<FakeOptions> = {},
  sessionOptions: Partial<ElevenLabsSessionOptions> = {},
): Promise<Harness> {
  const clock = new FakeClock();
  const fake = new FakeElevenLabs(clock, fakeOptions);
  const baseUrl = await fake.start();
  const logs: LogLine[] = [];
  const line = (level: LogLine['level']) => (fields: object, message: string) =>
    logs.push({ level, fields: fields as Record<string, unknown>, message });
  const session = new ElevenLabsStreamSession({
    callId: CALL_ID,
    baseUrl,
    apiKey: API_KEY,
    voiceId: 'voice-1',
    modelId: 'eleven_flash_v2_5',
    outputFormat: 'ulaw_8000',
    voiceSettings: VOICE_SETTINGS,
    inactivityTimeoutS: 180,
    autoMode: true,
    clock,
    logger: { info: line('info'), warn: line('warn'), error: line('error'), debug: line('debug') },
    random: () => 0,
    ...sessionOptions,
  });
  const h: Harness = {
    clock,
    fake,
    session,
    audio: [],
    sentenceEnds: [],
    turnEnds: [],
    ttfb: [],
    states: [],
    errors: [],
    fallbacks: [],
    logs,
    timeline: [],
    spoken: (turnId, seq) =>
      h.audio
        .filter((a) => a.turnId === turnId && a.seq === seq)
        .map((a) => a.audio.toString())
        .join(''),
    stop: async () => {
      await session.close();
      await fake.stop();
    },
  };
  session.on('audio', (e) => {
    h.audio.push(e);
    h.timeline.push(`audio ${e.turnId}/${e.seq}/${e.chunk}`);
  });
  session.on('sentenceEnd', (e) => {
    h.sentenceEnds.push(e);
    h.timeline.push(`end ${e.turnId}/${e.seq}`);
  });
  session.on('turnEnd', (e) => {
    h.turnEnds.push(e);
    h.timeline.push(`turnEnd ${e.turnId}`);
  });
  session.on('ttfb', (e) => h.ttfb.push(e));
  session.on('stateChange', (e) => h.states.push(e));
  session.on('error', (e) => h.errors.push(e));
  session.on('fallback', (e) => h.fallbacks.push(e));
  return h;
}

/** Starts the session and waits until its socket is open. */
export async function connected(h: Harness): Promise<void> {
  void h.session.connect();
  await waitFor(() => h.session.connectionState === 'open', 'session open');
}

/** Lets loopback I/O happen (real sockets cannot be driven by the FakeClock). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await flushMicrotasks(3);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

/** Waits (on real time, bounded) until loopback I/O has made `predicate` true. */
export async function waitFor(predicate: () => boolean, what = 'condition', timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  }
}

/** Advances the FakeClock in steps, letting socket I/O catch up after each. */
export async function advance(clock: FakeClock, ms: number, stepMs = 1000): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await clock.advanceAsync(Math.min(stepMs, ms - done));
    await settle();
  }
}

/** Chunk keys (turnId/seq/chunk) that were emitted more than once. */
export function duplicateChunks(audio: TtsAudioEvent[]): string[] {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const a of audio) {
    const key = `${a.turnId}/${a.seq}/${a.chunk}`;
    if (seen.has(key)) dup.push(key);
    seen.add(key);
  }
  return dup;
}
