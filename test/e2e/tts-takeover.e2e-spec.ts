import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shardOf, ttsShardLeaseKey } from '@app/contracts';
import { ManagedChild, startNodeChild, waitForHttpOk } from '../../scripts/lib/child-process';
import { builtAppScript } from '../../scripts/lib/project-root';
import { freePort } from '../support/free-port';
import { TEST_LEASE_TTL_MS, TEST_SHARDS, TtsSystem, waitUntil } from '../../apps/tts-worker/src/testing/tts-system.harness';
import { problemsOf } from '../../apps/tts-worker/src/testing/audio-log.harness';

/**
 * Call-affinity sharding with real tts-worker processes (built: `npm run build`), a private Redis and
 * the ElevenLabs simulator. Calls are spread over the workers' shards; one worker is killed with -9
 * (or sent SIGTERM) in the middle of its calls' turns. Its shards move, the turns continue, and every
 * sentence of every call is heard exactly once, whole (problemsOf reads `audio:{callId}` the way the
 * playback-worker does: fences, dedupe on (turnId, seq, chunk), and the bytes themselves).
 */
jest.setTimeout(120_000);

const ANSWER = [
  'Thanks for calling, this is the test line.',
  'We are open from nine until six on weekdays.',
  'On Saturdays we open at ten and close at four.',
  'Is there anything else I can help you with?',
];
/** An LLM producing the answer: one sentence every so often, so the kill lands mid-turn. */
const SENTENCE_EVERY_MS = 250;

interface Worker {
  id: string;
  child: ManagedChild;
  port: number;
}

describe('tts-worker takeover between processes', () => {
  let system: TtsSystem;
  let workers: Worker[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'tts-takeover-'));

  async function startWorkers(count: number): Promise<void> {
    for (let i = 1; i <= count; i++) {
      const id = `tts-w${i}`;
      const port = await freePort();
      const child = startNodeChild(id, builtAppScript('tts-worker'), system.env(id, { TTS_HEALTH_PORT: String(port), LOG_LEVEL: 'info' }), logDir);
      workers.push({ id, child, port });
    }
    await Promise.all(workers.map((w) => waitForHttpOk(`http://127.0.0.1:${w.port}/health/ready`, 20_000)));
    // Fair share reached: every worker holds some shards and all shards are held.
    await waitUntil(async () => {
      const holders = await leaseHolders();
      return holders.every(Boolean) && workers.every((w) => holders.includes(w.id));
    }, 'shards spread over the workers', 15_000);
  }

  async function leaseHolders(): Promise<Array<string | undefined>> {
    const values = await Promise.all(Array.from({ length: TEST_SHARDS }, (_, s) => system.redis.get(ttsShardLeaseKey(s))));
    return values.map((v) => v?.split(':')[0]);
  }

  /** Call ids whose shard `holder` holds, and calls held by the others. */
  async function callsOn(holder: string, count: number, prefix: string): Promise<{ mine: string[]; others: string[] }> {
    const holders = await leaseHolders();
    const mine: string[] = [];
    const others: string[] = [];
    for (let i = 0; mine.length < count || others.length < count; i++) {
      const callId = `v3:${prefix}-${i}`;
      const list = holders[shardOf(callId, TEST_SHARDS)] === holder ? mine : others;
      if (list.length < count) list.push(callId);
    }
    return { mine, others };
  }

  function speak(callId: string, turnId: string): Promise<void> {
    return system.answer(callId, turnId, ANSWER.map((text, i) => ({ text, afterMs: i === 0 ? 0 : SENTENCE_EVERY_MS })));
  }

  beforeEach(async () => {
    system = new TtsSystem();
    await system.start();
    workers = [];
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.child.stop('SIGKILL')));
    await system.stop();
  });

  it('kill -9 of a worker mid-turn: its calls finish on the others, every sentence heard once', async () => {
    await startWorkers(3);
    const victim = workers[0];
    const { mine, others } = await callsOn(victim.id, 2, 'kill');
    const calls = [...mine, ...others];
    for (const callId of calls) await system.openCall(callId);
    const answers = calls.map((callId) => speak(callId, '1'));

    // Kill once the victim's first call is into its second sentence's audio.
    await waitUntil(async () => (await system.audio(mine[0])).heard('1').some((s) => s.seq === 1 && s.chunks.length >= 2), 'mid-turn audio', 10_000);
    victim.child.kill9();
    await Promise.all(answers);

    for (const callId of calls) {
      const log = await system.turnDone(callId, '1', 20_000);
      expect({ callId, problems: problemsOf(log, '1', ANSWER) }).toEqual({ callId, problems: [] });
    }
    // The victim's calls were finished under a newer fence by another worker.
    for (const callId of mine) {
      const fences = new Set((await system.audio(callId)).entries.map((e) => e.fence));
      expect(fences.size).toBe(2);
    }
    expect((await leaseHolders()).includes(victim.id)).toBe(false);

    // The next turn of a taken-over call is spoken by its new owner, on a socket it keeps.
    await speak(mine[0], '2');
    expect(problemsOf(await system.turnDone(mine[0], '2'), '2', ANSWER)).toEqual([]);
  });

  it('SIGTERM drains: turns in progress finish, the shards move at once, no sentence lost', async () => {
    await startWorkers(2);
    const leaving = workers[0];
    const { mine, others } = await callsOn(leaving.id, 2, 'term');
    const calls = [...mine, ...others];
    for (const callId of calls) await system.openCall(callId);
    const answers = calls.map((callId) => speak(callId, '1'));
    await waitUntil(async () => (await system.audio(mine[0])).heard('1').some((s) => s.seq === 0 && s.chunks.length >= 2), 'mid-turn audio', 10_000);
    const stopped = leaving.child.stop('SIGTERM', 15_000).then(() => Date.now());
    await Promise.all(answers);
    const exitedAt = await stopped;
    // Released, not expired: the other worker holds every shard sooner than a lease could lapse.
    await waitUntil(async () => (await leaseHolders()).every((h) => h === workers[1].id), 'shards moved', 10_000, 10);
    expect(Date.now() - exitedAt).toBeLessThan(TEST_LEASE_TTL_MS);

    for (const callId of calls) {
      const log = await system.turnDone(callId, '1', 20_000);
      expect({ callId, problems: problemsOf(log, '1', ANSWER) }).toEqual({ callId, problems: [] });
    }
    // The drain let the turn finish where it was: one owner (one fence) for the whole turn.
    for (const callId of mine) expect(new Set((await system.audio(callId)).entries.map((e) => e.fence)).size).toBe(1);

    // The moved calls' next turns are spoken by the remaining worker.
    await Promise.all(mine.map((callId) => speak(callId, '2')));
    for (const callId of mine) expect(problemsOf(await system.turnDone(callId, '2'), '2', ANSWER)).toEqual([]);
  });
});
