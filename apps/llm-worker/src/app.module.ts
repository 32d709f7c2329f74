import { DynamicModule, Module } from '@nestjs/common';
import { AppRuntime, CoreModule } from '@app/core';
import { AnswerGenerationService } from './answer/answer-generation.service';
import { LlmClientFactory } from './answer/llm-client.factory';
import { LlmSdkWarmup } from './answer/llm-sdk.warmup';
import { ConversationHistoryStore } from './history/conversation-history.store';
import { TurnConsumer } from './turns/turn.consumer';

@Module({})
export class LlmWorkerModule {
  static forRuntime(runtime: AppRuntime): DynamicModule {
    return {
      module: LlmWorkerModule,
      imports: [CoreModule.forRuntime(runtime)],
      controllers: [TurnConsumer],
      providers: [AnswerGenerationService, LlmClientFactory, ConversationHistoryStore, LlmSdkWarmup],
    };
  }
}
