import { PartitionedExecutor } from './partitioned-executor';
import { deferred } from '../test/bus-spec-kit';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PartitionedExecutor', () => {
  it('runs one key strictly in submission order and different keys side by side', async () => {
    const executor = new PartitionedExecutor(10);
    const events: string[] = [];
    const gates = { a1: deferred(), a2: deferred(), b1: deferred() };
    const task = (name: keyof typeof gates) => async () => {
      events.push(`start ${name}`);
      await gates[name].promise;
      events.push(`end ${name}`);
    };
    executor.submit('a', task('a1'));
    executor.submit('a', task('a2'));
    executor.submit('b', task('b1'));
    await flush();
    expect(events).toEqual(['start a1', 'start b1']);
    expect(executor.inFlight).toBe(3);

    gates.a2.resolve(); // a2 is done early but must not start before a1 ends
    await flush();
    expect(events).toEqual(['start a1', 'start b1']);

    gates.a1.resolve();
    await flush();
    expect(events).toEqual(['start a1', 'start b1', 'end a1', 'start a2', 'end a2']);
    gates.b1.resolve();
    await executor.whenIdle();
    expect(executor.inFlight).toBe(0);
  });

  it('keeps running a key after one of its tasks failed, and reports the failure', async () => {
    const errors: unknown[] = [];
    const executor = new PartitionedExecutor(10, (error) => errors.push(error));
    const ran: number[] = [];
    executor.submit('k', async () => {
      ran.push(1);
      throw new Error('boom');
    });
    executor.submit('k', async () => {
      ran.push(2);
    });
    await executor.whenIdle();
    expect(ran).toEqual([1, 2]);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('grants no more capacity than the limit and wakes a waiting reader when a task finishes', async () => {
    const executor = new PartitionedExecutor(3);
    const first = executor.tryReserve(5);
    expect(first.granted).toBe(3);
    expect(executor.tryReserve(1).granted).toBe(0);

    const gate = deferred();
    executor.submit('a', () => gate.promise, first);
    executor.submit('b', () => gate.promise, first);
    first.release(); // one slot unused goes back
    expect(executor.available).toBe(1);
    const taken = executor.tryReserve(1);
    expect(taken.granted).toBe(1);
    executor.submit(undefined, () => gate.promise, taken);
    expect(executor.available).toBe(0);

    let granted = -1;
    const waiting = executor.reserve(10).then((permit) => (granted = permit.granted));
    await flush();
    expect(granted).toBe(-1);
    gate.resolve();
    await waiting;
    expect(granted).toBe(3);
  });

  it('stops waiting for capacity when the signal aborts', async () => {
    const executor = new PartitionedExecutor(1);
    const gate = deferred();
    executor.submit(undefined, () => gate.promise, executor.tryReserve(1));
    const controller = new AbortController();
    const waiting = executor.reserve(1, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    gate.resolve();
    await executor.whenIdle();
    expect(executor.available).toBe(1);
  });
});
