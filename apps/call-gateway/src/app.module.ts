import { DynamicModule, Module } from '@nestjs/common';
import { AppRuntime, CoreModule } from '@app/core';
import { TelnyxWebhookController } from './webhook/telnyx-webhook.controller';
import { WebhookIntakeService } from './webhook/webhook-intake.service';
import { CallStateStore } from './calls/call-state.store';
import { CallEventsPublisher } from './calls/call-events.publisher';
import { CallFlowService } from './calls/call-flow.service';
import { TurnTakingService } from './calls/turn-taking.service';
import { InboxConsumer } from './calls/inbox.consumer';
import { TurnMetricsConsumer } from './calls/turn-metrics.consumer';
import { telnyxCommandsProvider } from './telnyx/telnyx.provider';

@Module({})
export class CallGatewayModule {
  static forRuntime(runtime: AppRuntime): DynamicModule {
    return {
      module: CallGatewayModule,
      imports: [CoreModule.forRuntime(runtime)],
      controllers: [TelnyxWebhookController, InboxConsumer, TurnMetricsConsumer],
      providers: [WebhookIntakeService, CallStateStore, CallEventsPublisher, CallFlowService, TurnTakingService, telnyxCommandsProvider],
    };
  }
}
