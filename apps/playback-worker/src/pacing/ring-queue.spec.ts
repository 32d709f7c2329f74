import { RingQueue } from './ring-queue';

describe('RingQueue', () => {
  it('keeps FIFO order across wrap-around and growth', () => {
    const queue = new RingQueue<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7 * round; i++) queue.push(next++);
      for (let i = 0; i < 5 * round && queue.size > 0; i++) out.push(queue.shift()!);
    }
    while (queue.size > 0) out.push(queue.shift()!);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(queue.shift()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  it('clear() empties it', () => {
    const queue = new RingQueue<string>();
    queue.push('a');
    queue.push('b');
    queue.clear();
    expect(queue.size).toBe(0);
    queue.push('c');
    expect(queue.peek()).toBe('c');
  });
});
