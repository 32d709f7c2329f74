import { RedisClient } from './bus.types';
import { LoopStream, StreamReadLoop, StreamReadLoopOptions } from './stream-read-loop';
import { ReadLoopKey } from './stream-slots';

export interface ReadLoopPoolOptions extends Omit<StreamReadLoopOptions, 'key' | 'connection'> {
  /** A fresh connection for a new loop (each loop blocks on its own). */
  createConnection: () => RedisClient;
}

/**
 * The read loops of a server, one per ReadLoopKey (group and, in a cluster, slot). A loop is created
 * with its first stream and stopped with its last: an idle loop would hold a blocking connection for
 * nothing, and in a cluster a playback-worker reads a new slot for every call it serves.
 */
export class ReadLoopPool {
  private readonly loops = new Map<string, StreamReadLoop>();

  constructor(private readonly options: ReadLoopPoolOptions) {}

  get size(): number {
    return this.loops.size;
  }

  add(key: ReadLoopKey, stream: LoopStream): void {
    let loop = this.loops.get(key.id);
    if (!loop) {
      const { createConnection, logger, ...loopOptions } = this.options;
      const connection = createConnection();
      connection.on('error', (error: Error) => logger.debug({ loop: key.id, err: error }, 'read connection error'));
      loop = new StreamReadLoop({ ...loopOptions, logger, key, connection, sharing: () => this.loops.size });
      this.loops.set(key.id, loop);
      loop.start();
    }
    loop.add(stream);
  }

  /** Resolves once the loop reads without the stream (or has stopped, if it was its last). */
  async remove(key: ReadLoopKey, stream: string): Promise<void> {
    const loop = this.loops.get(key.id);
    if (!loop?.remove(stream) || loop.size > 0) return;
    this.loops.delete(key.id);
    await loop.stop();
  }

  async stopAll(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(loops.map((loop) => loop.stop()));
  }
}
