import { BaseRpcContext } from '@nestjs/microservices';

type StreamContextArgs = [stream: string, id: string, deliveries: number, group: string | undefined];

/**
 * Where a message came from, for handlers that ask for it with `@Ctx()`: the stream, the entry id, how
 * many times this entry has been delivered (1 the first time; more after a reclaim) and the consumer
 * group (undefined on plain streams).
 */
export class StreamContext extends BaseRpcContext<StreamContextArgs> {
  constructor(stream: string, id: string, deliveries: number, group: string | undefined) {
    super([stream, id, deliveries, group]);
  }

  getStream(): string {
    return this.args[0];
  }

  getId(): string {
    return this.args[1];
  }

  getDeliveries(): number {
    return this.args[2];
  }

  getGroup(): string | undefined {
    return this.args[3];
  }
}
