import 'reflect-metadata';
import Redis from 'ioredis';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessageHandler, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { map, throwError, timer } from 'rxjs';
import { BusMessage, SentenceMessage, deadLetterStream, encodeMessage, fieldsToRecord, message } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { BusPublisher } from './bus-publisher';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { RedisStreamsServerOptions } from './redis-streams.options';
import { StreamContext } from './stream-context';
import { RecordingBusLogger, deferred, sentence, specClient, waitFor } from '../test/bus-spec-kit';

/** Handler signature as Nest registers it: (payload, context) → promise. */
type Handler = (message: BusMessage, context: StreamContext) => Promise<unknown>;

describe('RedisStreamsServer', () => {
  let redis: TestRedis;
  let client: Redis;
  let publisher: BusPublisher;
  const servers: RedisStreamsServer[] = [];

  function startServer(options: Partial<RedisStreamsServerOptions> & Pick<RedisStreamsServerOptions, 'streams'>, handlers: Record<string, Handler>): Promise<RedisStreamsServer> {
    const server = new RedisStreamsServer({
      createClient: () => createRedisClient({ url: redis.url, name: 'spec:bus' }),
      createReadClient: () => createBlockingClient({ url: redis.url, name: 'spec:bus-read' }),
      consumer: 'consumer-1',
      blockMs: 100,
      claimIdleMs: 60_000,
      ...options,
    });
    for (const [type, handler] of Object.entries(handlers)) server.addHandler(type, handler as MessageHandler, true);
    servers.push(server);
    return new Promise((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve(server))));
  }

  const pendingCount = async (stream: string, group: string) => ((await client.xpending(stream, group)) as [number])[0];

  beforeAll(async () => {
    redis = await startTestRedis();
    client = specClient(redis.url);
    publisher = new BusPublisher(client);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await client.flushall();
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('hands a published message, typed, to its handler with the entry context, then acks it', async () => {
    const received: Array<{ message: BusMessage; stream: string; id: string; deliveries: number; group?: string }> = [];
    await startServer({ streams: [{ stream: 'tts:{s1}:in', group: 'tts-worker' }] }, {
      sentence: async (message, context) => {
        received.push({ message, stream: context.getStream(), id: context.getId(), deliveries: context.getDeliveries(), group: context.getGroup() });
      },
    });
    const sent = sentence('v3:call-a', 3, 'Hello, there.');
    const id = await publisher.publish('tts:{s1}:in', sent);

    await waitFor(() => received.length, (n) => n === 1);
    expect(received).toEqual([{ message: sent, stream: 'tts:{s1}:in', id, deliveries: 1, group: 'tts-worker' }]);
    expect(await client.xrange('tts:{s1}:in', '-', '+')).toEqual([[id, encodeMessage(sent)]]);
    await waitFor(() => pendingCount('tts:{s1}:in', 'tts-worker'), (n) => n === 0);
  });

  it('acks only after the handler succeeded: a failed entry stays pending under this consumer', async () => {
    const handled: number[] = [];
    await startServer({ streams: [{ stream: 'turns', group: 'llm-worker' }] }, {
      sentence: async (message) => {
        const { seq } = message as SentenceMessage;
        if (seq === 1) throw new Error('provider down');
        handled.push(seq);
      },
    });
    const failedId = await publisher.publish('turns', sentence('v3:c1', 1));
    await publisher.publish('turns', sentence('v3:c2', 2));

    await waitFor(() => handled, (seqs) => seqs.length === 1);
    await waitFor(() => pendingCount('turns', 'llm-worker'), (n) => n === 1);
    const pending = await client.xpending('turns', 'llm-worker', '-', '+', 10);
    expect(pending).toEqual([[failedId, 'consumer-1', expect.any(Number), 1]]);
    expect(handled).toEqual([2]);
  });

  it('treats an observable result like a promise: acked when it completes, pending when it errors', async () => {
    let completed = 0;
    await startServer({ streams: [{ stream: 'turns', group: 'llm-worker' }] }, {
      sentence: async (message) =>
        (message as SentenceMessage).seq === 1
          ? throwError(() => new Error('stream broke'))
          : timer(20).pipe(map(() => (completed += 1))),
    });
    const failedId = await publisher.publish('turns', sentence('v3:o1', 1));
    await publisher.publish('turns', sentence('v3:o2', 2));
    await waitFor(() => completed, (n) => n === 1);
    await waitFor(() => pendingCount('turns', 'llm-worker'), (n) => n === 1);
    expect(await client.xpending('turns', 'llm-worker', '-', '+', 10)).toEqual([[failedId, 'consumer-1', expect.any(Number), 1]]);
  });

  it('dead-letters a malformed entry with its reason, acks it, and goes on with the entries behind it', async () => {
    const logger = new RecordingBusLogger();
    const handled: number[] = [];
    await startServer({ streams: [{ stream: 'tts:{s2}:in', group: 'tts-worker' }], logger }, {
      sentence: async (message) => {
        handled.push((message as SentenceMessage).seq);
      },
    });
    await publisher.publish('tts:{s2}:in', sentence('v3:m', 0));
    const badFields = ['type', 'sentence', 'callId', 'v3:m', 'turnId', '1', 'seq', '-1', 'text', 'x', 'last', '0', 'kind', 'user', 'at', '1'];
    const badId = await client.xadd('tts:{s2}:in', '*', ...badFields);
    await publisher.publish('tts:{s2}:in', sentence('v3:m', 1));
    await publisher.publish('tts:{s2}:in', sentence('v3:m', 2));

    await waitFor(() => handled, (seqs) => seqs.length === 3);
    expect(handled).toEqual([0, 1, 2]);
    const letters = await client.xrange(deadLetterStream('tts:{s2}:in'), '-', '+');
    expect(letters).toHaveLength(1);
    const [, letterFields] = letters[0];
    expect(letterFields.slice(0, 8)).toEqual(['stream', 'tts:{s2}:in', 'id', badId, 'reason', expect.stringMatching(/^invalid sentence: seq: /), 'group', 'tts-worker']);
    expect(letterFields.slice(8)).toEqual(badFields);
    await waitFor(() => pendingCount('tts:{s2}:in', 'tts-worker'), (n) => n === 0);
    const logged = logger.withMessage('entry dead-lettered');
    expect(logged).toHaveLength(1);
    expect(logged[0].fields).toMatchObject({ stream: 'tts:{s2}:in', id: badId, reason: fieldsToRecord(letterFields).reason });
  });

  it('dead-letters a type without handler on a group stream, or just acks it when told to', async () => {
    const handled: string[] = [];
    await startServer(
      {
        streams: [
          { stream: 'gateway:inbox', group: 'call-gateway' },
          { stream: 'playback:events', group: 'call-gateway', onUnhandled: 'ack' },
        ],
      },
      { 'playback.started': async (message) => void handled.push(message.type) },
    );
    const heard = message('turn.heard', { callId: 'v3:h', turnId: '2', text: 'Hi', complete: true, at: 5 });
    const inboxId = await publisher.publish('gateway:inbox', heard);
    await publisher.publish('playback:events', heard);
    await publisher.publish('playback:events', message('playback.started', { callId: 'v3:h', turnId: '2', at: 6 }));

    await waitFor(() => handled, (types) => types.length === 1);
    await waitFor(() => client.xlen(deadLetterStream('gateway:inbox')), (n) => n === 1);
    const [[, letter]] = await client.xrange(deadLetterStream('gateway:inbox'), '-', '+');
    expect(fieldsToRecord(letter)).toMatchObject({ id: inboxId, reason: 'no handler for message type "turn.heard"', type: 'turn.heard' });
    await waitFor(() => pendingCount('playback:events', 'call-gateway'), (n) => n === 0);
    await waitFor(() => pendingCount('gateway:inbox', 'call-gateway'), (n) => n === 0);
    expect(await client.exists(deadLetterStream('playback:events'))).toBe(0);
  });

  it('broadcasts a plain stream: two servers without group both receive every entry, from the moment they subscribed', async () => {
    await publisher.publish('calls:control', message('call.ended', { callId: 'v3:old', reason: 'before', at: 1 }));
    const seen: Record<string, string[]> = { a: [], b: [] };
    for (const name of ['a', 'b'] as const) {
      await startServer({ consumer: name, streams: [{ stream: 'calls:control' }] }, {
        'call.ended': async (message) => void seen[name].push(message.callId),
        'turn.cancel': async (message) => void seen[name].push(`${message.callId}/cancel`),
      });
    }
    await publisher.publish('calls:control', message('turn.cancel', { callId: 'v3:x', turnId: '1', reason: 'barge-in', at: 2 }));
    await publisher.publish('calls:control', message('call.ended', { callId: 'v3:y', reason: 'hangup', at: 3 }));
    await waitFor(() => seen, (s) => s.a.length === 2 && s.b.length === 2);
    expect(seen).toEqual({ a: ['v3:x/cancel', 'v3:y'], b: ['v3:x/cancel', 'v3:y'] });
    expect(await client.exists(deadLetterStream('calls:control'))).toBe(0);
  });

  it('reads a plain stream from the beginning with startId 0', async () => {
    await publisher.publish('audio:{v3:z}', message('audio.end', { callId: 'v3:z', turnId: '1', seq: 0, chunks: 3, last: true, fence: 1, at: 1 }));
    const ends: number[] = [];
    await startServer({ streams: [{ stream: 'audio:{v3:z}', startId: '0' }] }, {
      'audio.end': async (message) => void ends.push((message as { chunks: number }).chunks),
    });
    await waitFor(() => ends, (e) => e.length === 1);
    expect(ends).toEqual([3]);
  });

  it('close() waits for the handler in progress, which still acks', async () => {
    const gate = deferred();
    let started = false;
    const server = await startServer({ streams: [{ stream: 'turns', group: 'llm-worker' }] }, {
      sentence: async () => {
        started = true;
        await gate.promise;
      },
    });
    await publisher.publish('turns', sentence('v3:slow', 0));
    await waitFor(() => started, Boolean);
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect(await pendingCount('turns', 'llm-worker')).toBe(0);
  });

  it('runs handlers of a Nest controller (@EventPattern, @Payload, @Ctx)', async () => {
    const seen: string[] = [];
    @Controller()
    class SentenceConsumer {
      @EventPattern('sentence')
      onSentence(@Payload() sentence: SentenceMessage, @Ctx() context: StreamContext): void {
        seen.push(`${sentence.callId}#${sentence.seq}@${context.getStream()}/${context.getGroup()}/${context.getDeliveries()}`);
      }

      @EventPattern('tts.close')
      onClose(): Promise<void> {
        return Promise.reject(new Error('cannot close'));
      }
    }
    const moduleRef = await Test.createTestingModule({ controllers: [SentenceConsumer] }).compile();
    const server = new RedisStreamsServer({
      createClient: () => createRedisClient({ url: redis.url, name: 'spec:nest' }),
      consumer: 'nest-1',
      streams: [{ stream: 'tts:{s5}:in', group: 'tts-worker' }],
      blockMs: 100,
    });
    const app = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await app.listen();
    try {
      await publisher.publish('tts:{s5}:in', sentence('v3:n', 7));
      const closeId = await publisher.publish('tts:{s5}:in', message('tts.close', { callId: 'v3:n', at: 1 }));
      await waitFor(() => seen, (s) => s.length === 1);
      expect(seen).toEqual(['v3:n#7@tts:{s5}:in/tts-worker/1']);
      // The rejected handler went through Nest's exception filter: still a failure, still pending.
      await waitFor(() => client.xpending('tts:{s5}:in', 'tts-worker', '-', '+', 10), (p) => p.length === 1);
      expect(await client.xpending('tts:{s5}:in', 'tts-worker', '-', '+', 10)).toEqual([[closeId, 'nest-1', expect.any(Number), 1]]);
    } finally {
      await app.close();
    }
  });
});
