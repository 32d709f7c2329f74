import { Injectable } from '@nestjs/common';
import { CallState } from '@app/contracts';
import { CallStateStore, TransitionRequest, TransitionResult } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';

/**
 * Every change of a call's state goes through here, so every transition is one `call.lifecycle` event
 * on the bus, published after the hash says so (a reader of the event finds the hash agreeing).
 */
@Injectable()
export class CallTransitions {
  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
  ) {}

  /**
   * A transition caused by a webhook. `applied` publishes the lifecycle event; `resumed` (the same
   * event handled again after a crash half-way) publishes it again: at least once, never lost.
   */
  async apply(callId: string, agentId: string, request: TransitionRequest, detail?: string): Promise<TransitionResult> {
    const result = await this.calls.transition(callId, request);
    if (result.outcome === 'applied' || result.outcome === 'resumed') {
      await this.events.lifecycle(callId, agentId, request.to, detail);
    }
    return result;
  }

  /**
   * Writes fields of a live call (of its current turn, when `turnId` is given), `state` among them or
   * not; publishes the lifecycle event when the state changed. False when nothing was written.
   */
  async update(callId: string, agentId: string, fields: Record<string, string> & { state?: CallState }, turnId = '', detail?: string): Promise<boolean> {
    const previous = await this.calls.update(callId, fields, turnId);
    if (previous === undefined) return false;
    if (fields.state !== undefined && fields.state !== previous) await this.events.lifecycle(callId, agentId, fields.state, detail);
    return true;
  }

  /** A change another atomic write already made (a new turn's state): its event, if the state changed. */
  async changed(callId: string, agentId: string, previous: CallState, next: CallState, detail?: string): Promise<void> {
    if (previous !== next) await this.events.lifecycle(callId, agentId, next, detail);
  }

  /** A call created in its first state: that state's lifecycle event. */
  created(callId: string, agentId: string, state: CallState, detail?: string): Promise<string> {
    return this.events.lifecycle(callId, agentId, state, detail);
  }
}
