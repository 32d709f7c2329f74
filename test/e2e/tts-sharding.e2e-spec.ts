import type { RunningApp } from '@app/core';
import { shardOf, ttsShardLeaseKey } from '@app/contracts';
import { TEST_SHARDS, TtsSystem, httpGet, metricValue, waitUntil } from '../../apps/tts-worker/src/testing/tts-system.harness';
import { problemsOf } from '../../apps/tts-worker/src/testing/audio-log.harness';

/**
 * Fair, sticky sharing of the shards between tts-workers (in-process, distinct INSTANCE_IDs): a new
 * worker is not ready until it holds shards, takes its share from the first one, but a shard with a
 * turn in progress moves only once that turn is over; the call then continues on its new worker.
 */
jest.setTimeout(60_000);

const LONG_ANSWER = [
  'Thanks for calling, this is the test line.',
  'We are open from nine until six on weekdays.',
  'On Saturdays we open at ten and close at four.',
  'Sundays we are closed, but the website is open.',
  'Is there anything else I can help you with?',
];

describe('tts-workers sharing the shards', () => {
  // Generation at real-time speed: the long answer keeps its turn in progress for seconds.
  const system = new TtsSystem({ handshakeLatencyMs: 40, firstByteLatencyMs: 40, generationSpeed: 2 });
  afterAll(() => system.stop());

  const holderOf = async (shard: number) => (await system.redis.get(ttsShardLeaseKey(shard)))?.split(':')[0];
  const held = async (id: string) => {
    let n = 0;
    for (let s = 0; s < TEST_SHARDS; s++) if ((await holderOf(s)) === id) n++;
    return n;
  };

  it('a new worker is ready once it holds its share; a shard with a turn in progress moves only after the turn', async () => {
    await system.start();
    const first: RunningApp = await system.startWorker('tts-a');
    await waitUntil(async () => (await httpGet(first, '/health/ready')).status === 200, 'first worker ready');
    expect(await held('tts-a')).toBe(TEST_SHARDS);

    // Turns in progress on five shards: more than the first worker's coming share of four.
    const calls: string[] = [];
    for (let i = 0; new Set(calls.map((c) => shardOf(c, TEST_SHARDS))).size < 5; i++) {
      const callId = `v3:sticky-${i}`;
      if (!calls.some((c) => shardOf(c, TEST_SHARDS) === shardOf(callId, TEST_SHARDS))) calls.push(callId);
    }
    for (const callId of calls) await system.openCall(callId);
    await Promise.all(calls.map((callId) => system.answer(callId, '1', LONG_ANSWER.map((text) => ({ text })))));
    await waitUntil(async () => (await system.audio(calls[4])).entries.length > 0, 'turns under way');

    const second = await system.startWorker('tts-b');
    const firstLook = await httpGet(second, '/health/ready');
    if (firstLook.status !== 200) expect(firstLook.body).toContain('holds no tts shard');
    await waitUntil(async () => (await held('tts-b')) === TEST_SHARDS - 5, 'second worker takes the idle shards', 15_000);
    await waitUntil(async () => (await httpGet(second, '/health/ready')).status === 200, 'second worker ready');

    // The busy shards stayed where their turns are being spoken, and every turn is heard whole.
    for (const callId of calls) expect(await holderOf(shardOf(callId, TEST_SHARDS))).toBe('tts-a');
    for (const callId of calls) {
      const log = await system.turnDone(callId, '1', 30_000);
      expect(problemsOf(log, '1', LONG_ANSWER)).toEqual([]);
      expect(new Set(log.entries.map((e) => e.fence)).size).toBe(1);
    }

    // Shares settle at 4 + 4, moving only shards without a turn in progress.
    await waitUntil(async () => (await held('tts-a')) === TEST_SHARDS / 2 && (await held('tts-b')) === TEST_SHARDS / 2, 'fair split', 15_000);
    expect(metricValue((await httpGet(second, '/metrics')).body, 'voice_tts_held_shards')).toBe(TEST_SHARDS / 2);

    // Wherever each call's shard is now, its next turn is spoken whole (rebuilt there if it moved);
    // at least one moved (the first worker had five busy shards for a share of four).
    const next = LONG_ANSWER.slice(0, 2);
    await Promise.all(calls.map((callId) => system.answer(callId, '2', next.map((text) => ({ text })))));
    let moved = 0;
    for (const callId of calls) {
      const log = await system.turnDone(callId, '2', 30_000);
      expect(problemsOf(log, '2', next)).toEqual([]);
      const fence = (turnId: string) => log.entries.find((e) => e.turnId === turnId)!.fence;
      if (fence('2') !== fence('1')) moved++;
    }
    expect(moved).toBeGreaterThanOrEqual(1);
    for (const c of calls) await system.hangup(c);
  });
});
