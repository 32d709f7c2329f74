import { Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '@app/clock';
import { AgentDirectory, AppConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { AGENTS, CLOCK, CONFIG, LOGGER } from '@app/core';
import { CallStateStore } from '../calls/call-state.store';
import { CallTransitions } from '../calls/call-transitions.service';
import { buildDialRequest } from '../calls/answer-request.builder';
import { TELNYX_COMMANDS } from '../telnyx/telnyx.provider';
import { encodeClientState } from '../telnyx/client-state';
import { OutboundCallRequest } from './outbound-call.request';

export interface OutboundCall {
  callId: string;
  agentId: string;
  to: string;
  from: string;
  state: 'initiated';
}

/**
 * Places an outbound call through Telnyx (`dial` on TELNYX_CONNECTION_ID) and records it (direction
 * outgoing, initiated). The agent also travels in the call's client_state, so the call is set up even
 * when its webhooks overtake the dial's response. From `call.answered` on it runs the same flow as an
 * incoming call.
 */
@Injectable()
export class OutboundDialerService {
  constructor(
    private readonly calls: CallStateStore,
    private readonly transitions: CallTransitions,
    @Inject(TELNYX_COMMANDS) private readonly telnyx: TelnyxCommands,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    // Not fatal: the deployment sets OUTBOUND_API_TOKEN for every gateway, and incoming calls must work
    // whether or not outbound calls are configured.
    if (!config.OUTBOUND_API_TOKEN) {
      logger.warn({ setting: 'OUTBOUND_API_TOKEN' }, 'outbound calls are disabled: POST /v1/calls answers 401 to everyone');
    } else if (!config.TELNYX_CONNECTION_ID) {
      logger.error({ setting: 'TELNYX_CONNECTION_ID' }, 'outbound calls are disabled: TELNYX_CONNECTION_ID (the Call Control App to dial on) is not set');
    }
  }

  async dial(request: OutboundCallRequest, idempotencyKey?: string): Promise<OutboundCall> {
    const connectionId = this.config.TELNYX_CONNECTION_ID;
    if (!connectionId) throw new ServiceUnavailableException({ error: 'outbound calls are not configured: TELNYX_CONNECTION_ID is not set' });
    const agent = this.agents.get(request.agentId);
    if (!agent) throw new NotFoundException({ error: `agent ${request.agentId} is not configured` });
    const commandId = `dial:${idempotencyKey ?? randomUUID()}`;
    const { callControlId: callId } = await this.telnyx.dial(
      buildDialRequest(agent, {
        to: request.to,
        from: request.from,
        connectionId,
        clientState: encodeClientState({ agentId: agent.id }),
        commandId,
      }),
    );
    const created = await this.calls.createIfAbsent({
      callId, agentId: agent.id, state: 'initiated', direction: 'outgoing', from: request.from, to: request.to,
      playbackMode: agent.playback.mode, createdAt: this.clock.epochNow(), stateEvent: commandId,
    });
    if (created) await this.transitions.created(callId, agent.id, 'initiated', 'outgoing');
    this.logger.info({ callId, agentId: agent.id, commandId, pii: { to: request.to, from: request.from } }, 'outbound call dialled');
    return { callId, agentId: agent.id, to: request.to, from: request.from, state: 'initiated' };
  }
}
