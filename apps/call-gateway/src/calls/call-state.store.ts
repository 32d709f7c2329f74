import { Inject, Injectable } from '@nestjs/common';
import { CallState, TurnKind, callKey } from '@app/contracts';
import { RedisClient } from '@app/bus';
import { REDIS } from '@app/core';
import { CallRecord, NewCallRecord, parseCallRecord } from './call-record';
import { CLAIM_BARGE_IN, CREATE_IF_ABSENT, INCREMENT_LIVE, NEW_TURN, TRANSITION, UPDATE_LIVE } from './call-state.scripts';

/**
 * How long an ended call's hash stays: late webhooks of the call (Telnyx retries for minutes) are
 * recognised as belonging to an ended call and ignored meanwhile; after it, nothing of the call is left.
 */
export const ENDED_CALL_TTL_S = 300;
/** A live call's hash outlives any real call (6 h), so a call whose hangup never arrives still goes away. */
export const LIVE_CALL_TTL_S = 6 * 3600;

export type TransitionOutcome = 'applied' | 'resumed' | 'skipped' | 'ended' | 'missing';

export interface TransitionRequest {
  /** Allowed previous states; absent: any live state. */
  from?: readonly CallState[];
  to: CallState;
  /** The Telnyx event causing it ('' for transitions not caused by a webhook). */
  eventId: string;
  fields?: Record<string, string>;
  /** Sets the hash's TTL (the ended call's short life). */
  ttlS?: number;
}

export interface TransitionResult {
  outcome: TransitionOutcome;
  previous?: CallState;
}

/** One call's hash `call:{callId}`: every write is one atomic script that never revives an ended call. */
@Injectable()
export class CallStateStore {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async get(callId: string): Promise<CallRecord | undefined> {
    return parseCallRecord(await this.redis.hgetall(callKey(callId)));
  }

  /** Creates the call unless it exists: a re-delivered call.initiated never resets a live call. */
  async createIfAbsent(record: NewCallRecord): Promise<boolean> {
    const initial = { ...record, turnId: '0', turnCounter: '0', reprompts: '0', speaking: '0' };
    const created = await this.redis.eval(CREATE_IF_ABSENT, 1, callKey(record.callId), String(LIVE_CALL_TTL_S), ...pairs(initial));
    return created === 1;
  }

  async transition(callId: string, request: TransitionRequest): Promise<TransitionResult> {
    const reply = (await this.redis.eval(
      TRANSITION,
      1,
      callKey(callId),
      (request.from ?? []).join(','),
      request.to,
      request.eventId,
      request.ttlS === undefined ? '' : String(request.ttlS),
      ...pairs(request.fields ?? {}),
    )) as [TransitionOutcome, string];
    return { outcome: reply[0], previous: reply[1] ? (reply[1] as CallState) : undefined };
  }

  /**
   * Writes fields of a live call (of its current turn `turnId`, when given). The previous state, or
   * undefined when the call is unknown, ended or on another turn (nothing written then).
   */
  async update(callId: string, fields: Record<string, string>, turnId = ''): Promise<CallState | undefined> {
    const previous = await this.redis.eval(UPDATE_LIVE, 1, callKey(callId), turnId, ...pairs(fields));
    return typeof previous === 'string' ? (previous as CallState) : undefined;
  }

  /** Marks the turn barged-in, once; the previous state, or undefined when somebody else did (or it is stale). */
  async claimBargeIn(callId: string, turnId: string): Promise<CallState | undefined> {
    const previous = await this.redis.eval(CLAIM_BARGE_IN, 1, callKey(callId), turnId);
    return typeof previous === 'string' ? (previous as CallState) : undefined;
  }

  /** Mints the call's next turn: its id and the state the call was in, or undefined when the call is gone. */
  async newTurn(
    callId: string,
    kind: TurnKind,
    text: string,
    options: { closing?: boolean; fields?: Record<string, string> } = {},
  ): Promise<{ turnId: string; previous: CallState } | undefined> {
    const reply = await this.redis.eval(NEW_TURN, 1, callKey(callId), kind, text, options.closing ? '1' : '0', ...pairs(options.fields ?? {}));
    if (!Array.isArray(reply)) return undefined;
    return { turnId: String(reply[0]), previous: String(reply[1]) as CallState };
  }

  /** The reprompt count after this one, or undefined when the call is gone. */
  async incrementReprompts(callId: string): Promise<number | undefined> {
    const count = await this.redis.eval(INCREMENT_LIVE, 1, callKey(callId), 'reprompts');
    return typeof count === 'number' ? count : undefined;
  }
}

function pairs(fields: Record<string, unknown>): string[] {
  return Object.entries(fields).flatMap(([key, value]) => [key, String(value)]);
}
