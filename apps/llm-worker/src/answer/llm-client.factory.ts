import { Inject, Injectable } from '@nestjs/common';
import OpenAI from 'openai';
import { AgentConfig, AppConfig } from '@app/config';
import { CONFIG } from '@app/core';

/** One OpenAI client per (base URL, key): agents may point at different OpenAI-compatible servers. */
@Injectable()
export class LlmClientFactory {
  private readonly clients = new Map<string, OpenAI>();

  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  forAgent(agent: AgentConfig): OpenAI {
    const baseURL = agent.llm.baseUrl ?? this.config.OPENAI_BASE_URL;
    const apiKey = this.config.secrets[agent.llm.apiKeyEnv] ?? 'unset';
    const cacheKey = `${baseURL}\u0000${apiKey}`;
    let client = this.clients.get(cacheKey);
    if (!client) {
      // Retries are ours (llm-stream.ts): they must stop once a sentence has been published.
      client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
      this.clients.set(cacheKey, client);
    }
    return client;
  }
}
