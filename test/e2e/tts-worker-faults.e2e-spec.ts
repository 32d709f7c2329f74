import type { RunningApp } from '@app/core';
import { ttsShardCallsKey, ttsTurnKey, shardOf } from '@app/contracts';
import { TEST_SHARDS, TtsSystem, httpGet, metricValue, sleep, waitUntil } from '../../apps/tts-worker/src/testing/tts-system.harness';
import { problemsOf } from '../../apps/tts-worker/src/testing/audio-log.harness';

/**
 * One real tts-worker (bootstrapApp, private Redis) against the ElevenLabs simulator with faults
 * injected. The test plays gateway and llm-worker on the bus and listens on `audio:{callId}` as the
 * playback-worker does: every sentence must be heard exactly once, complete, byte for byte what one
 * clean generation of its text is (problemsOf), whatever the provider did in between.
 */
jest.setTimeout(60_000);

const ANSWER = [
  'Thanks for calling, this is the test line.',
  'We are open from nine until six on weekdays.',
  'Is there anything else I can help you with?',
];

describe('tts-worker against the ElevenLabs simulator, with faults', () => {
  const system = new TtsSystem();
  let worker: RunningApp;
  let calls = 0;
  const nextCall = (label: string) => `v3:${label}-${++calls}`;
  const metrics = async () => (await httpGet(worker, '/metrics')).body;

  beforeAll(async () => {
    await system.start();
    worker = await system.startWorker('tts-faults');
    await waitUntil(async () => (await httpGet(worker, '/health/ready')).status === 200, 'worker ready');
  });
  afterAll(() => system.stop());
  afterEach(() => system.simulator.clearFaults());

  async function speakAndCheck(callId: string, turnId: string, texts = ANSWER, agentId = 'socket'): Promise<void> {
    if (turnId === '1') await system.openCall(callId, agentId);
    await system.answer(callId, turnId, texts.map((text) => ({ text })));
    const log = await system.turnDone(callId, turnId);
    expect(problemsOf(log, turnId, texts)).toEqual([]);
  }

  it('speaks a turn on the call\'s one socket, opened warm, and reports it in metrics and readiness', async () => {
    const callId = nextCall('happy');
    const before = system.simulator.sockets().length;
    await speakAndCheck(callId, '1');
    await speakAndCheck(callId, '2', ANSWER.slice(0, 2));
    const sockets = system.simulator.sockets().slice(before);
    expect(sockets.map((s) => [s.endpoint, s.callId])).toEqual([['multi-stream-input', callId]]);
    const text = await metrics();
    expect(metricValue(text, 'voice_tts_held_shards')).toBe(TEST_SHARDS);
    expect(metricValue(text, 'voice_tts_open_sockets')).toBe(1);
    expect(metricValue(text, 'voice_tts_ttfb_ms_count')).toBeGreaterThanOrEqual(5);
    expect((await httpGet(worker, '/health/ready')).status).toBe(200);

    await system.hangup(callId);
    await waitUntil(() => system.simulator.openSocketCount() === 0, 'socket closed at hangup');
    await waitUntil(async () => (await system.redis.exists(ttsTurnKey(callId))) === 0, 'turn state forgotten');
    expect(await system.redis.sismember(ttsShardCallsKey(shardOf(callId, TEST_SHARDS)), callId)).toBe(0);
    expect(metricValue(await metrics(), 'voice_tts_open_sockets')).toBe(0);
  });

  it('a socket dropped mid-sentence (1006) reconnects and the turn is heard once, whole', async () => {
    const callId = nextCall('drop');
    const reconnects = metricValue(await metrics(), 'voice_reconnects_total', 'elevenlabs');
    await system.openCall(callId);
    await waitUntil(() => system.openSockets(callId) === 1, 'warm socket');
    system.simulator.dropSocketMidSentence(3);
    await speakAndCheck(callId, '1');
    expect(system.simulator.sockets().filter((s) => s.callId === callId)).toHaveLength(2);
    expect(metricValue(await metrics(), 'voice_reconnects_total', 'elevenlabs')).toBe(reconnects + 1);
    await system.hangup(callId);
  });

  it('1012 (service restart) mid-sentence: reconnect, nothing lost or repeated', async () => {
    const callId = nextCall('restart');
    await system.openCall(callId);
    await waitUntil(() => system.openSockets(callId) === 1, 'warm socket');
    system.simulator.closeSocketMidSentence(1012, 'service restart', 5);
    await speakAndCheck(callId, '1');
    const mine = system.simulator.sockets().filter((s) => s.callId === callId);
    expect(mine.map((s) => s.closeCode)[0]).toBe(1012);
    expect(mine).toHaveLength(2);
    await system.hangup(callId);
  });

  it('refused connections: the session gives up and the turn is spoken over REST', async () => {
    const callId = nextCall('refused');
    const fallbacks = metricValue(await metrics(), 'voice_fallbacks_total', 'tts-rest');
    system.simulator.refuseNextConnections(10, 503);
    await system.openCall(callId);
    await sleep(1_200); // three refusals with backoff (250 + 500 ms): the session is `failed`
    await speakAndCheck(callId, '1');
    expect(system.simulator.sockets().filter((s) => s.callId === callId)).toEqual([]);
    expect(metricValue(await metrics(), 'voice_fallbacks_total', 'tts-rest')).toBe(fallbacks + 1);
    await speakAndCheck(callId, '2', ANSWER.slice(1)); // the call stays on REST
    await system.hangup(callId);
  });

  it('the socket failing mid-turn moves the rest of the turn to REST, none lost or said twice', async () => {
    const callId = nextCall('midturn');
    await system.openCall(callId);
    await waitUntil(() => system.openSockets(callId) === 1, 'warm socket');
    system.simulator.dropSocketMidSentence(4);
    system.simulator.refuseNextConnections(10, 503);
    await speakAndCheck(callId, '1');
    const log = await system.audio(callId);
    // Some of the first sentence came over the socket before the drop: REST continued after those bytes.
    expect(log.heard('1')[0].chunks.length).toBeGreaterThan(4);
    await system.hangup(callId);
  });

  it('an answer ending with an empty sentence, the socket failing before its end: REST ends it', async () => {
    const callId = nextCall('emptyend');
    const texts = [...ANSWER.slice(0, 2), ''];
    await system.openCall(callId);
    await waitUntil(() => system.openSockets(callId) === 1, 'warm socket');
    await system.beginTurn(callId, '1');
    await system.sentence(callId, '1', 0, texts[0], false);
    await waitUntil(async () => (await system.audio(callId)).heard('1')[0]?.end !== undefined, 'first sentence spoken');
    // The second sentence's socket drops mid-way, after the (empty) end of the answer arrived.
    system.simulator.dropSocketMidSentence(4);
    system.simulator.refuseNextConnections(10, 503);
    await system.sentence(callId, '1', 1, texts[1], false);
    await system.sentence(callId, '1', 2, '', true);
    const log = await system.turnDone(callId, '1');
    expect(problemsOf(log, '1', texts)).toEqual([]);
    expect(log.heard('1').find((s) => s.seq === 2)?.end).toMatchObject({ chunks: 0, last: true });
    await system.hangup(callId);
  });

  it('a slow first byte past the no-audio timeout: the text is re-sent once, heard once', async () => {
    const callId = nextCall('slow');
    await system.openCall(callId);
    await waitUntil(() => system.openSockets(callId) === 1, 'warm socket');
    system.simulator.slowNextFirstBytes(1, 4_000);
    await speakAndCheck(callId, '1', ANSWER.slice(0, 1));
    const socket = system.simulator.sockets().find((s) => s.callId === callId)!;
    const opened = (socket.received as Array<Record<string, unknown>>).filter((m) => m.voice_settings).map((m) => m.context_id);
    expect(opened).toEqual(['1', '1_r1']);
    await system.hangup(callId);
  });

  it('usePersistentTts: false speaks each sentence over REST; a 429 is retried', async () => {
    const callId = nextCall('rest');
    system.simulator.rateLimitNextRestCalls(2);
    await speakAndCheck(callId, '1', ANSWER, 'rest');
    expect(system.simulator.sockets().filter((s) => s.callId === callId)).toEqual([]);
    await system.hangup(callId);
  });

  it('five-context pressure: quick turns and barge-ins never hold more than five contexts on a socket', async () => {
    const callId = nextCall('pressure');
    await system.openCall(callId);
    await waitUntil(() => system.openSockets(callId) === 1, 'warm socket');
    let maxLive = 0;
    const sampler = setInterval(() => {
      for (const s of system.simulator.sockets()) if (s.callId === callId) maxLive = Math.max(maxLive, s.liveContexts.length);
    }, 2);
    try {
      // Each turn's context stays live (closing) until its audio is generated: they pile up.
      for (let turn = 1; turn <= 12; turn++) {
        const turnId = String(turn);
        await system.beginTurn(callId, turnId);
        await system.sentence(callId, turnId, 0, ANSWER.join(' '), false);
        if (turn % 2 === 0) await system.cancel(callId, turnId); // barge-in
        await sleep(5);
      }
      await system.answer(callId, '13', ANSWER.map((text) => ({ text })));
      const log = await system.turnDone(callId, '13');
      expect(problemsOf(log, '13', ANSWER)).toEqual([]);
    } finally {
      clearInterval(sampler);
    }
    expect(maxLive).toBe(5); // the limit was reached, never passed: the socket was replaced instead
    expect(system.simulator.sockets().filter((s) => s.callId === callId).length).toBeGreaterThan(1);
    await system.hangup(callId);
    await waitUntil(() => system.simulator.liveContextCount() === 0 && system.simulator.openSocketCount() === 0, 'no context or socket left');
  });

  it('stream-input (agent setting): one socket per turn, each sentence heard once', async () => {
    const callId = nextCall('streaminput');
    await speakAndCheck(callId, '1', ANSWER, 'stream-input');
    await speakAndCheck(callId, '2', ANSWER.slice(0, 1), 'stream-input');
    const mine = system.simulator.sockets().filter((s) => s.callId === callId);
    expect(mine.map((s) => [s.endpoint, s.turnId])).toEqual([
      ['stream-input', '1'],
      ['stream-input', '2'],
    ]);
    await waitUntil(() => system.simulator.openSocketCount() === 0, 'per-turn sockets closed');
    await system.hangup(callId);
  });

  it('stream-input: a socket dropped mid-turn, the turn finishes over REST, the next turn on a socket', async () => {
    const callId = nextCall('streaminputdrop');
    system.simulator.dropSocketMidSentence(3);
    await speakAndCheck(callId, '1', ANSWER, 'stream-input');
    await speakAndCheck(callId, '2', ANSWER.slice(0, 1), 'stream-input');
    expect(system.simulator.sockets().filter((s) => s.callId === callId).map((s) => s.turnId)).toEqual(['1', '2']);
    await system.hangup(callId);
  });
});

describe('tts-worker: the service closes an idle socket (1008)', () => {
  // The simulator closes any socket idle for 5.5 s with the documented 1008 idle reason.
  const system = new TtsSystem({ handshakeLatencyMs: 40, firstByteLatencyMs: 40, generationSpeed: 8, socketIdleTimeoutMs: 5_500 });
  afterAll(() => system.stop());

  it('reconnects at once, without counting a failure, and the next turn is spoken on the socket', async () => {
    await system.start();
    const worker = await system.startWorker('tts-idle');
    const callId = 'v3:idle-1';
    await system.openCall(callId);
    await waitUntil(() => system.simulator.sockets().some((s) => s.closeCode === 1008), 'idle close', 10_000);
    await waitUntil(() => system.simulator.openSocketCount() === 1, 'reconnected');
    await system.answer(callId, '1', ANSWER.map((text) => ({ text })));
    expect(problemsOf(await system.turnDone(callId, '1'), '1', ANSWER)).toEqual([]);
    const text = (await httpGet(worker, '/metrics')).body;
    expect(metricValue(text, 'voice_fallbacks_total', 'tts-rest')).toBe(0);
    expect(system.simulator.sockets().map((s) => s.endpoint)).toEqual(['multi-stream-input', 'multi-stream-input']);
    await system.hangup(callId);
  });
});
