import { flushMicrotasks } from '@app/clock';
import { ConcurrencyLimit } from './concurrency-limit';

describe('ConcurrencyLimit', () => {
  it('lets `max` holders in and the rest wait in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    const order: string[] = [];
    const take = (name: string) => limit.acquire().then((release) => (order.push(name), release));
    const [a, b] = await Promise.all([take('a'), take('b')]);
    const c = take('c');
    const d = take('d');
    await flushMicrotasks();
    expect(order).toEqual(['a', 'b']);
    expect({ running: limit.running, waiting: limit.waiting }).toEqual({ running: 2, waiting: 2 });
    b();
    b(); // twice: the second call must not free another slot
    await flushMicrotasks();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(limit.waiting).toBe(1);
    a();
    (await c)();
    (await d)();
    expect({ running: limit.running, waiting: limit.waiting }).toEqual({ running: 0, waiting: 0 });
  });

  it('lets an aborted waiter leave the line without taking a slot', async () => {
    const limit = new ConcurrencyLimit(1);
    const first = await limit.acquire();
    const controller = new AbortController();
    const waiting = limit.acquire(controller.signal);
    const next = limit.acquire();
    controller.abort(new Error('barge-in'));
    await expect(waiting).rejects.toThrow('barge-in');
    expect(limit.waiting).toBe(1);
    first();
    await expect(next).resolves.toBeInstanceOf(Function);
    expect(limit.running).toBe(1);
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    await expect(limit.acquire(aborted.signal)).rejects.toThrow('already');
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
  });
});
