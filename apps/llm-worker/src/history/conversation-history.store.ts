import { Inject, Injectable } from '@nestjs/common';
import { historyKey } from '@app/contracts';
import { RedisClient } from '@app/bus';
import { REDIS } from '@app/core';

export interface HistoryEntry {
  turnId: string;
  role: 'user' | 'assistant';
  content: string;
}

/** History outlives a call only briefly (the call's hash lives as long). */
export const HISTORY_TTL_S = 6 * 3600;

/**
 * The call's conversation, kept in Redis (any llm-worker replica can answer the next turn). Bounded by
 * a character budget, oldest turns dropped first. When a turn is interrupted, its assistant message is
 * replaced by what the caller actually heard.
 */
@Injectable()
export class ConversationHistoryStore {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async load(callId: string, budgetChars: number): Promise<HistoryEntry[]> {
    const raw = await this.redis.lrange(historyKey(callId), 0, -1);
    const entries = raw.map((r) => JSON.parse(r) as HistoryEntry);
    return trimToBudget(entries, budgetChars);
  }

  async append(callId: string, entries: HistoryEntry[], budgetChars: number): Promise<void> {
    const key = historyKey(callId);
    await this.redis.rpush(key, ...entries.map((e) => JSON.stringify(e)));
    await this.redis.expire(key, HISTORY_TTL_S);
    const all = (await this.redis.lrange(key, 0, -1)).map((r) => JSON.parse(r) as HistoryEntry);
    const keep = trimToBudget(all, budgetChars);
    if (keep.length < all.length) await this.redis.ltrim(key, all.length - keep.length, -1);
  }

  /** Replaces the assistant message of a turn (what was heard instead of what was generated). */
  async replaceAssistant(callId: string, turnId: string, content: string): Promise<boolean> {
    const key = historyKey(callId);
    const raw = await this.redis.lrange(key, 0, -1);
    for (let i = raw.length - 1; i >= 0; i--) {
      const entry = JSON.parse(raw[i]) as HistoryEntry;
      if (entry.turnId === turnId && entry.role === 'assistant') {
        await this.redis.lset(key, i, JSON.stringify({ ...entry, content }));
        return true;
      }
    }
    return false;
  }

  /** Forgets a turn entirely (a merged turn: its half question and answer were never heard). */
  async removeTurn(callId: string, turnId: string): Promise<void> {
    const key = historyKey(callId);
    for (const raw of await this.redis.lrange(key, 0, -1)) {
      if ((JSON.parse(raw) as HistoryEntry).turnId === turnId) await this.redis.lrem(key, 0, raw);
    }
  }

  async clear(callId: string): Promise<void> {
    await this.redis.del(historyKey(callId));
  }
}

/** Keeps the newest entries whose total length fits the budget, never splitting a user/assistant pair. */
export function trimToBudget(entries: HistoryEntry[], budgetChars: number): HistoryEntry[] {
  let total = 0;
  let start = entries.length;
  for (let i = entries.length - 1; i >= 0; i--) {
    total += entries[i].content.length;
    if (total > budgetChars) break;
    start = i;
  }
  // Start on a user message so the model never sees an answer without its question.
  while (start < entries.length && entries[start].role !== 'user') start++;
  return entries.slice(start);
}
