import { Injectable } from '@nestjs/common';
import { TurnKind } from '@app/contracts';
import { CallStateStore } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';

/**
 * Lines the agent says without the LLM (greeting, reprompt, goodbye): a new turn of the call, its one
 * sentence sent straight to the call's TTS shard.
 */
@Injectable()
export class AgentLines {
  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
  ) {}

  /** The new turn's id, or undefined when the call is gone. `closing`: the call is hung up once it was heard. */
  async say(callId: string, text: string, kind: TurnKind, closing = false): Promise<string | undefined> {
    const turn = await this.calls.newTurn(callId, kind, '', { closing });
    if (!turn) return undefined;
    await this.events.agentLine(callId, turn.turnId, text, kind);
    return turn.turnId;
  }

  /** The same line of the same turn again (its first publication may have been lost in a crash): downstream dedupes it. */
  repeat(callId: string, turnId: string, text: string, kind: TurnKind): Promise<string> {
    return this.events.agentLine(callId, turnId, text, kind);
  }
}
