import { DynamicModule, Module } from '@nestjs/common';
import { AppRuntime, CoreModule } from '@app/core';
import { TelnyxWebhookController } from './webhook/telnyx-webhook.controller';
import { WebhookIntakeService } from './webhook/webhook-intake.service';
import { CallStateStore } from './calls/call-state.store';
import { CallEventsPublisher } from './calls/call-events.publisher';
import { CallTransitions } from './calls/call-transitions.service';
import { CallFlowService } from './calls/call-flow.service';
import { CallSetupService } from './calls/call-setup.service';
import { CallTeardownService } from './calls/call-teardown.service';
import { MediaEventsService } from './calls/media-events.service';
import { NoAgentRefusal } from './calls/no-agent.refusal';
import { AgentLines } from './calls/agent-lines.service';
import { DeadAirService } from './calls/dead-air.service';
import { TurnTakingService } from './calls/turn-taking.service';
import { WebhookDedupeStore } from './calls/webhook-dedupe.store';
import { InboxConsumer } from './calls/inbox.consumer';
import { CallControlConsumer } from './calls/call-control.consumer';
import { TurnMetricsConsumer } from './calls/turn-metrics.consumer';
import { OutboundCallsController } from './outbound/outbound-calls.controller';
import { OutboundDialerService } from './outbound/outbound-dialer.service';
import { telnyxCommandsProvider } from './telnyx/telnyx.provider';

@Module({})
export class CallGatewayModule {
  static forRuntime(runtime: AppRuntime): DynamicModule {
    return {
      module: CallGatewayModule,
      imports: [CoreModule.forRuntime(runtime)],
      controllers: [TelnyxWebhookController, OutboundCallsController, InboxConsumer, CallControlConsumer, TurnMetricsConsumer],
      providers: [
        WebhookIntakeService,
        CallStateStore,
        CallEventsPublisher,
        CallTransitions,
        CallFlowService,
        CallSetupService,
        CallTeardownService,
        MediaEventsService,
        NoAgentRefusal,
        AgentLines,
        DeadAirService,
        TurnTakingService,
        WebhookDedupeStore,
        OutboundDialerService,
        telnyxCommandsProvider,
      ],
    };
  }
}
