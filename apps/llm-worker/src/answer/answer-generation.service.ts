import { Inject, Injectable } from '@nestjs/common';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { TurnMessage, callKey, message, shardOf, ttsShardStream } from '@app/contracts';
import { Clock } from '@app/clock';
import { AgentConfig, AgentDirectory, AppConfig } from '@app/config';
import { APP_METRICS, AppLogger, AppMetrics, TurnMarks } from '@app/telemetry';
import { Publisher, RedisClient } from '@app/bus';
import { AGENTS, CLOCK, CONFIG, LOGGER, PUBLISHER, REDIS } from '@app/core';
import { SentenceSegmenter } from '../segmentation';
import { ConversationHistoryStore } from '../history/conversation-history.store';
import { TurnAbortRegistry, TurnCancelledError } from '../turns/turn-abort.registry';
import { LlmClientFactory } from './llm-client.factory';
import { LlmStreamError, streamAnswer } from './llm-stream';

/** Retries while nothing of the turn has been published (after that, the apology ends the turn). */
export const LLM_MAX_ATTEMPTS = 3;
/** Backoff before retry n: base × 2^(n-1); short, because the caller is waiting in silence. */
export const LLM_RETRY_BASE_MS = 200;

/** Cancels after which the turn must leave no trace in history (see TurnConsumer.onCancel / onCallEnded). */
const FORGOTTEN_CANCEL_REASONS: ReadonlySet<string> = new Set(['merge', 'hangup']);

export interface TurnOutcome {
  turnId: string;
  sentences: number;
  status: 'completed' | 'cancelled' | 'stale' | 'apologised';
  firstTokenMs?: number;
  firstSentenceMs?: number;
}

/**
 * Turns a user turn into sentences on the call's TTS shard stream, each the moment it is complete.
 * The turn's AbortController is checked before every publish, so nothing of a cancelled turn reaches
 * the bus after the cancel.
 */
@Injectable()
export class AnswerGenerationService {
  readonly aborts = new TurnAbortRegistry();

  constructor(
    private readonly clients: LlmClientFactory,
    private readonly history: ConversationHistoryStore,
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
    @Inject(APP_METRICS) private readonly metrics: AppMetrics,
    private readonly marks: TurnMarks,
  ) {}

  async answer(turn: TurnMessage): Promise<TurnOutcome> {
    const { callId, turnId } = turn;
    this.logger.debug({ callId, turnId, busMs: round(this.clock.epochNow() - turn.at) }, 'turn received');
    const [currentTurnId, state] = await this.redis.hmget(callKey(callId), 'turnId', 'state');
    if (currentTurnId !== turnId || state === 'ended') {
      this.logger.info({ callId, turnId, currentTurnId }, 'turn is no longer current, skipped');
      return { turnId, sentences: 0, status: 'stale' };
    }
    const agent = this.agents.get(turn.agentId);
    if (!agent) throw new Error(`agent ${turn.agentId} is not configured`);
    const controller = this.aborts.begin(callId, turnId);
    const startedAt = this.clock.now();
    const stream = ttsShardStream(shardOf(callId, this.config.TTS_SHARDS));
    let seq = 0;
    /** What reached the bus: the history keeps this, never the unpublished tail of a cut or cancelled stream. */
    const published: string[] = [];
    let firstTokenMs: number | undefined;
    let firstSentenceMs: number | undefined;
    const publishSentence = async (text: string, last: boolean) => {
      if (controller.signal.aborted) throw controller.signal.reason;
      await this.publisher.publish(
        stream,
        message('sentence', { callId, turnId, seq, text, last, kind: 'user', at: this.clock.epochNow() }),
      );
      if (text) published.push(text);
      if (seq === 0) {
        this.marks.stamp(callId, turnId, 'firstSentenceAt');
        firstSentenceMs = this.clock.now() - startedAt;
        this.logger.info({ callId, turnId, firstSentenceMs: Math.round(firstSentenceMs) }, 'first sentence published');
      }
      seq++;
    };
    const priorHistory = await this.history.load(callId, agent.llm.historyBudgetChars);
    try {
      for (let attempt = 1; ; attempt++) {
        const segmenter = new SentenceSegmenter({ firstChunkMinChars: agent.llm.firstChunkMinChars });
        this.logger.debug({ callId, turnId, attempt, at: this.clock.epochNow(), sinceFinalMs: round(this.clock.epochNow() - turn.finalAt) }, 'llm request starting');
        try {
          for await (const delta of streamAnswer({
            client: this.clients.forAgent(agent),
            model: agent.llm.model,
            messages: buildMessages(agent, priorHistory, turn.text),
            temperature: agent.llm.temperature,
            maxTokens: agent.llm.maxTokens,
            firstTokenTimeoutMs: agent.llm.firstTokenTimeoutMs,
            signal: controller.signal,
            headers: { 'x-call-id': callId, 'x-turn-id': turnId },
            clock: this.clock,
          })) {
            if (firstTokenMs === undefined) {
              firstTokenMs = this.clock.now() - startedAt;
              this.marks.stamp(callId, turnId, 'llmFirstTokenAt');
              this.metrics.observeLlmFirstToken(firstTokenMs);
            }
            for (const sentence of segmenter.push(delta)) await publishSentence(sentence, false);
          }
          const rest = segmenter.end();
          for (let i = 0; i < rest.length; i++) await publishSentence(rest[i], i === rest.length - 1);
          if (rest.length === 0) await publishSentence('', true);
          break;
        } catch (error) {
          if (error instanceof TurnCancelledError || controller.signal.aborted) throw error;
          const failure = error instanceof LlmStreamError ? error : new LlmStreamError('stream-cut', true, undefined, String(error));
          this.logger.warn({ callId, turnId, attempt, category: failure.category, status: failure.status }, 'llm request failed');
          if (seq > 0 || !failure.retryable || attempt >= LLM_MAX_ATTEMPTS) {
            this.metrics.fallback('llm-apology');
            await publishSentence(agent.llm.apology, true);
            await this.remember(callId, turnId, turn.text, published.join(' '), agent);
            return { turnId, sentences: seq, status: 'apologised', firstTokenMs, firstSentenceMs };
          }
          await this.clock.sleep(LLM_RETRY_BASE_MS * 2 ** (attempt - 1), controller.signal);
        }
      }
      await this.remember(callId, turnId, turn.text, published.join(' '), agent);
      this.logger.info(
        { callId, turnId, sentences: seq, firstTokenMs: round(firstTokenMs), firstSentenceMs: round(firstSentenceMs) },
        'turn answered',
      );
      return { turnId, sentences: seq, status: 'completed', firstTokenMs, firstSentenceMs };
    } catch (error) {
      if (error instanceof TurnCancelledError || controller.signal.aborted) {
        this.logger.info({ callId, turnId, sentences: seq }, 'turn generation cancelled');
        // What was published is kept for now; what the caller heard replaces it when the playback-worker
        // reports it. A merged turn (its half question is asked again) and a hung-up call keep nothing:
        // the consumer removes or clears their history, and a late append here would undo that.
        const reason = controller.signal.reason instanceof TurnCancelledError ? controller.signal.reason.reason : undefined;
        if (published.length > 0 && !FORGOTTEN_CANCEL_REASONS.has(reason ?? '')) {
          await this.remember(callId, turnId, turn.text, published.join(' '), agent);
        }
        return { turnId, sentences: seq, status: 'cancelled', firstTokenMs, firstSentenceMs };
      }
      throw error;
    } finally {
      this.aborts.finish(callId, turnId);
    }
  }

  private remember(callId: string, turnId: string, userText: string, assistantText: string, agent: AgentConfig): Promise<void> {
    return this.history.append(
      callId,
      [
        { turnId, role: 'user', content: userText },
        { turnId, role: 'assistant', content: assistantText.trim() },
      ],
      agent.llm.historyBudgetChars,
    );
  }
}

function buildMessages(agent: AgentConfig, history: { role: 'user' | 'assistant'; content: string }[], userText: string): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: agent.systemPrompt },
    ...history.map((h) => ({ role: h.role, content: h.content }) as ChatCompletionMessageParam),
    { role: 'user', content: userText },
  ];
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms);
}
