import Redis from 'ioredis';
import { BusPublisher } from '@app/bus';
import { audioStream, message, ttsTurnKey } from '@app/contracts';
import { TestRedis, startTestRedis } from '../../../../test/support/redis-server';
import { readPublishedAudio } from './published-audio.reader';
import { TurnStateStore } from './turn-state.store';

/** The Redis state a new shard holder resumes a call's turn from (real Redis). */
describe('a call\'s TTS turn state in Redis', () => {
  let server: TestRedis;
  let redis: Redis;
  let store: TurnStateStore;
  const CALL = 'v3:call-1';

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
    store = new TurnStateStore(redis, 60_000);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(() => redis.flushall());

  it('records the current turn\'s sentences; a newer turn replaces them, an older one is refused', async () => {
    expect(await store.recordSentence(CALL, '2', { seq: 1, text: 'Second.', last: true })).toBe(true);
    expect(await store.recordSentence(CALL, '2', { seq: 0, text: 'First.', last: false })).toBe(true);
    expect(await store.load(CALL)).toEqual({
      turnId: '2',
      cancelled: false,
      sentences: [
        { seq: 0, text: 'First.', last: false },
        { seq: 1, text: 'Second.', last: true },
      ],
    });
    expect(await store.recordSentence(CALL, '1', { seq: 0, text: 'Late.', last: false })).toBe(false);
    expect(await store.recordSentence(CALL, '10', { seq: 0, text: 'Newer.', last: false })).toBe(true); // numeric, not lexical
    expect((await store.load(CALL))?.sentences).toEqual([{ seq: 0, text: 'Newer.', last: false }]);
    expect(await redis.pttl(ttsTurnKey(CALL))).toBeGreaterThan(59_000);
  });

  it('a cancelled turn takes no more sentences; the next turn starts clean', async () => {
    await store.recordSentence(CALL, '3', { seq: 0, text: 'Hello.', last: false });
    await store.cancelTurn(CALL, '3');
    expect(await store.recordSentence(CALL, '3', { seq: 1, text: 'More.', last: true })).toBe(false);
    expect(await store.load(CALL)).toMatchObject({ turnId: '3', cancelled: true });
    await store.cancelTurn(CALL, '2'); // an older cancel changes nothing
    expect(await store.recordSentence(CALL, '4', { seq: 0, text: 'Next.', last: true })).toBe(true);
    expect(await store.load(CALL)).toEqual({ turnId: '4', cancelled: false, sentences: [{ seq: 0, text: 'Next.', last: true }] });
  });

  it('knows each shard\'s calls and forgets a call that ended', async () => {
    await store.addCall(3, CALL);
    await store.addCall(3, 'v3:call-2');
    await store.recordSentence(CALL, '1', { seq: 0, text: 'Hi.', last: true });
    expect((await store.calls(3)).sort()).toEqual([CALL, 'v3:call-2']);
    await store.forget(3, CALL);
    expect(await store.calls(3)).toEqual(['v3:call-2']);
    expect(await store.load(CALL)).toBeUndefined();
  });

  describe('what was published of a turn, read from the call\'s audio stream', () => {
    const chunk = (turnId: string, seq: number, n: number, bytes: number, fence = 1) =>
      message('audio', { callId: CALL, turnId, seq, chunk: n, format: 'ulaw_8000', payload: Buffer.alloc(bytes, 1).toString('base64'), fence, at: 1 });
    const end = (turnId: string, seq: number, chunks: number, fence = 1) =>
      message('audio.end', { callId: CALL, turnId, seq, chunks, last: false, fence, at: 1 });

    it('counts each sentence\'s chunks without a hole, their bytes, and whether it ended', async () => {
      const publisher = new BusPublisher(redis);
      const publish = (m: Parameters<BusPublisher['publish']>[1]) => publisher.publish(audioStream(CALL), m);
      await publish(chunk('1', 0, 0, 100)); // an older turn: not counted
      await publish(chunk('2', 0, 0, 160));
      await publish(chunk('2', 0, 1, 160));
      await publish(end('2', 0, 2));
      await publish(chunk('2', 1, 0, 80));
      await publish(chunk('2', 1, 0, 80)); // a duplicate
      await publish(chunk('2', 1, 2, 80)); // after a hole: not heard yet
      const published = await readPublishedAudio(redis, CALL, '2');
      expect(Object.fromEntries(published)).toEqual({
        0: { chunks: 2, bytes: 320, done: true },
        1: { chunks: 1, bytes: 80, done: false },
      });
    });

    it('drops what a stale owner published after a newer fence was seen', async () => {
      const publisher = new BusPublisher(redis);
      const publish = (m: Parameters<BusPublisher['publish']>[1]) => publisher.publish(audioStream(CALL), m);
      await publish(chunk('5', 0, 0, 100, 1));
      await publish(chunk('5', 0, 1, 100, 2)); // the new owner
      await publish(chunk('5', 0, 2, 100, 1)); // the old owner, paused, speaks late: dropped downstream
      await publish(end('5', 0, 3, 1));
      expect(Object.fromEntries(await readPublishedAudio(redis, CALL, '5'))).toEqual({ 0: { chunks: 2, bytes: 200, done: false } });
    });
  });
});
