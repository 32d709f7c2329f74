import { BusPublisher } from '@app/bus';
import {
  GROUPS,
  audioStream,
  callKey,
  message,
  shardOf,
  ttsShardCallsKey,
  ttsShardFenceKey,
  ttsShardLeaseKey,
  ttsTurnKey,
} from '@app/contracts';
import { speakableText } from '../../apps/tts-worker/src/elevenlabs';
import { planSpeech } from '../../apps/sandbox/src/elevenlabs/speech-plan';
import { parseOutputFormat } from '../../apps/sandbox/src/elevenlabs/output-format';
import { DEFAULT_AUDIO_CHUNK_MS, DEFAULT_CHARS_PER_SECOND } from '../../apps/sandbox/src/elevenlabs';
import { TEST_SHARDS, TtsSystem, waitUntil } from '../../apps/tts-worker/src/testing/tts-system.harness';
import { problemsOf } from '../../apps/tts-worker/src/testing/audio-log.harness';

/**
 * Takeover from a worker that died mid-turn, staged exactly in Redis: the dead worker ("ghost") held
 * the call's shard with fence 1; it had published all of sentence 0 and half of sentence 1, recorded
 * sentences 0-2 in the call's turn state, and had sentence 3 delivered but not acked (pending in its
 * name). Sentence 4 is published after its death. When the ghost's lease lapses, a real tts-worker
 * takes the shard: it must resume sentence 1 after its published bytes, speak 2, claim 3 at once
 * (not after the bus's 30 s claim idle time), then 4, and never say sentence 0 again.
 */
jest.setTimeout(60_000);

const TEXTS = [
  'Thanks for calling, this is the test line.',
  'We are open from nine until six on weekdays.',
  'On Saturdays we open at ten and close at four.',
  'Sundays we are closed, but the website is open.',
  'Is there anything else I can help you with?',
];
const GHOST_LEASE_MS = 1_000;
/** Well under the bus's claim idle time (30 s): the pending sentence must not wait for it. */
const TAKEOVER_BOUND_MS = 8_000;

/** The chunks the ghost's socket produced for a sentence (rendered as the simulator would). */
function ghostChunks(text: string, firstInContext: boolean): Buffer[] {
  const sent = firstInContext ? ` ${speakableText(text)}` : speakableText(text);
  const plan = planSpeech(sent, parseOutputFormat('ulaw_8000')!, { charsPerSecond: DEFAULT_CHARS_PER_SECOND, chunkMs: DEFAULT_AUDIO_CHUNK_MS });
  return plan.chunks.map((c) => c.audio());
}

describe('tts-worker: takeover of a dead worker\'s call, from Redis', () => {
  const system = new TtsSystem();
  afterAll(() => system.stop());

  it('resumes the turn where the dead worker stopped: nothing lost, nothing said twice', async () => {
    await system.start();
    const { redis } = system;
    const publisher = new BusPublisher(redis);
    const callId = 'v3:ghost-call';
    const shard = shardOf(callId, TEST_SHARDS);
    const stream = system.shardStream(callId);

    // The dead worker's lease (lapsing soon), the call and its TTS state.
    await redis.set(ttsShardLeaseKey(shard), 'ghost:0001', 'PX', GHOST_LEASE_MS);
    await redis.set(ttsShardFenceKey(shard), '1');
    await redis.hset(callKey(callId), { callId, agentId: 'socket', state: 'speaking', turnId: '1' });
    await redis.sadd(ttsShardCallsKey(shard), callId);
    for (const seq of [0, 1, 2]) await redis.hset(ttsTurnKey(callId), 'turnId', '1', `s:${seq}`, JSON.stringify({ text: TEXTS[seq], last: false }));

    // What the ghost published: sentence 0 whole, the first half of sentence 1.
    const publish = (m: Parameters<BusPublisher['publish']>[1]) => publisher.publish(audioStream(callId), m);
    const s0 = ghostChunks(TEXTS[0], true);
    for (const [chunk, audio] of s0.entries()) {
      await publish(message('audio', { callId, turnId: '1', seq: 0, chunk, format: 'ulaw_8000', payload: audio.toString('base64'), fence: 1, at: Date.now() }));
    }
    await publish(message('audio.end', { callId, turnId: '1', seq: 0, chunks: s0.length, last: false, fence: 1, at: Date.now() }));
    const s1 = ghostChunks(TEXTS[1], false);
    for (let chunk = 0; chunk < s1.length / 2; chunk++) {
      await publish(message('audio', { callId, turnId: '1', seq: 1, chunk, format: 'ulaw_8000', payload: s1[chunk].toString('base64'), fence: 1, at: Date.now() }));
    }

    // Sentence 3: delivered to the ghost, never acked. Sentence 4: published after it died.
    await redis.xgroup('CREATE', stream, GROUPS.tts, '$', 'MKSTREAM');
    await system.sentence(callId, '1', 3, TEXTS[3], false);
    await redis.xreadgroup('GROUP', GROUPS.tts, 'ghost', 'COUNT', 10, 'STREAMS', stream, '>');
    expect(await redis.xpending(stream, GROUPS.tts)).toEqual([1, expect.any(String), expect.any(String), [['ghost', '1']]]);
    await system.sentence(callId, '1', 4, TEXTS[4], true);

    const startedAt = Date.now();
    await system.startWorker('tts-heir');
    const log = await system.turnDone(callId, '1', TAKEOVER_BOUND_MS + GHOST_LEASE_MS);
    expect(Date.now() - startedAt).toBeLessThan(TAKEOVER_BOUND_MS + GHOST_LEASE_MS);

    expect(problemsOf(log, '1', TEXTS)).toEqual([]);
    // Sentence 0 was never generated again: only the ghost's copy (fence 1) exists.
    expect(log.entries.filter((e) => e.seq === 0).every((e) => e.fence === 1)).toBe(true);
    expect(log.entries.filter((e) => e.seq >= 2).every((e) => e.fence === 2)).toBe(true);
    const socket = system.simulator.sockets().find((s) => s.callId === callId)!;
    const texts = (socket.received as Array<Record<string, unknown>>).filter((m) => m.flush).map((m) => String(m.text).trim());
    expect(texts).toEqual(TEXTS.slice(1));
    await waitUntil(async () => (await redis.xpending(stream, GROUPS.tts))[0] === 0, 'every entry acked');
  });
});
