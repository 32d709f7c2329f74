import { ServerResponse } from 'node:http';
import { Clock, TimerHandle } from '@app/clock';
import {
  CompletionIdentity,
  FinishReason,
  Usage,
  completionObject,
  contentChunk,
  finishChunk,
  roleChunk,
  usageChunk,
} from './chunk.builder';
import { SseWriter } from './sse.writer';

/**
 * Times an answer like a model: the first token `firstTokenMs` after the request, then one token
 * every `tokenIntervalMs`, deadlines taken from the request's arrival so timer lateness never adds
 * up. A client that goes away stops it at once (no timer left behind); a `cutAfterTokens` fault
 * destroys the connection mid-answer.
 */
export type StreamOutcome = 'completed' | 'aborted' | 'cut';

export interface AnswerPlan {
  identity: CompletionIdentity;
  tokens: string[];
  finishReason: FinishReason;
  usage: Usage;
  startedAt: number;
  firstTokenMs: number;
  tokenIntervalMs: number;
  cutAfterTokens?: number;
  headers: Record<string, string>;
}

export interface AnswerHooks {
  /** Content that just left (a token, or the whole answer when not streaming). */
  onContent(text: string): void;
  onEnd(outcome: StreamOutcome): void;
}

function lifecycle(res: ServerResponse, clock: Clock, hooks: AnswerHooks) {
  let timer: TimerHandle | undefined;
  let finished = false;
  const finish = (outcome: StreamOutcome) => {
    if (finished) return false;
    finished = true;
    clock.clearTimeout(timer);
    hooks.onEnd(outcome);
    return true;
  };
  res.on('close', () => finish('aborted')); // also fires after a normal end, by then already finished
  return { finish, at: (deadline: number, fn: () => void) => (timer = clock.setTimeout(fn, Math.max(0, deadline - clock.now()))) };
}

export function streamAnswer(res: ServerResponse, plan: AnswerPlan, clock: Clock, hooks: AnswerHooks): void {
  const sse = new SseWriter(res);
  sse.open(plan.headers);
  const { finish, at } = lifecycle(res, clock, hooks);
  let sent = 0;
  const step = () => {
    if (sent === 0) sse.data(roleChunk(plan.identity));
    const token = plan.tokens[sent];
    if (token !== undefined) {
      sse.data(contentChunk(plan.identity, token, ++sent));
      hooks.onContent(token);
    }
    if (plan.cutAfterTokens !== undefined && sent >= plan.cutAfterTokens && sent < plan.tokens.length) {
      finish('cut');
      sse.cut();
      return;
    }
    if (sent >= plan.tokens.length) {
      sse.data(finishChunk(plan.identity, plan.finishReason, sent + 1));
      if (plan.identity.includeUsage) sse.data(usageChunk(plan.identity, plan.usage, sent + 2));
      finish('completed');
      sse.done();
      return;
    }
    at(plan.startedAt + plan.firstTokenMs + sent * plan.tokenIntervalMs, step);
  };
  at(plan.startedAt + plan.firstTokenMs, step);
}

/** `stream: false`: the whole answer once its last token would have been generated. */
export function answerWhole(res: ServerResponse, plan: AnswerPlan, clock: Clock, hooks: AnswerHooks): void {
  const { finish, at } = lifecycle(res, clock, hooks);
  const lastTokenAt = plan.startedAt + plan.firstTokenMs + Math.max(0, plan.tokens.length - 1) * plan.tokenIntervalMs;
  at(lastTokenAt, () => {
    if (plan.cutAfterTokens !== undefined) {
      finish('cut');
      res.socket?.destroy();
      return;
    }
    const content = plan.tokens.join('');
    const body = JSON.stringify(completionObject(plan.identity, content, plan.finishReason, plan.usage));
    hooks.onContent(content);
    finish('completed');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...plan.headers });
    res.end(body);
  });
}
