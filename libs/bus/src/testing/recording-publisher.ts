import { BusMessage, MessageType } from '@app/contracts';
import { Publisher } from '../bus.types';

export interface PublishedMessage {
  stream: string;
  message: BusMessage;
}

/** A Publisher for app unit tests: keeps what was published, in order, and hands out sequential ids. */
export class RecordingPublisher implements Publisher {
  readonly published: PublishedMessage[] = [];
  private sequence = 0;

  publish(stream: string, message: BusMessage): Promise<string> {
    this.published.push({ stream, message });
    this.sequence++;
    return Promise.resolve(`${this.sequence}-0`);
  }

  /** The messages of one type, typed, in publish order. */
  of<T extends MessageType>(type: T): Array<Extract<BusMessage, { type: T }>> {
    return this.published
      .map((entry) => entry.message)
      .filter((message): message is Extract<BusMessage, { type: T }> => message.type === type);
  }

  /** The messages published to one stream, in order. */
  on(stream: string): BusMessage[] {
    return this.published.filter((entry) => entry.stream === stream).map((entry) => entry.message);
  }

  clear(): void {
    this.published.length = 0;
  }
}
