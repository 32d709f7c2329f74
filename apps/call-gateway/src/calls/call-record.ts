import { CallState, TurnKind } from '@app/contracts';

export type CallDirection = 'incoming' | 'outgoing';
export type PlaybackMode = 'stream' | 'rest';

/** The call's state as kept in its Redis hash `call:{callId}` (flat fields, readable in redis-cli). */
export interface CallRecord {
  callId: string;
  agentId: string;
  state: CallState;
  direction: CallDirection;
  from: string;
  to: string;
  /** Current turn id: every stage drops work of any other turn. */
  turnId: string;
  turnKind: TurnKind;
  /** What the caller said in the current turn (a merge appends to it). */
  turnText: string;
  /** The agent's audio of the current turn has started playing (then a new final is a barge-in, not a merge). */
  turnAudioStarted: boolean;
  /** The turn already cancelled by a barge-in (so interim after interim cancels once). */
  bargedTurn: string;
  /** The agent is speaking (between playback started and finished). */
  speaking: boolean;
  reprompts: number;
  /** The goodbye turn said after the last reprompt: the call is hung up once it has been heard. */
  closingTurn: string;
  /** Epoch ms of the caller's last transcript: a dead-air timer armed before it is stale. */
  lastHeardAt: number;
  /**
   * The Telnyx event (`data.id`) that made the last webhook-driven transition: when the same event is
   * handled again (its first handling crashed half-way), the transition is recognised as its own and
   * the handling resumes instead of being skipped.
   */
  stateEvent: string;
  playbackMode: PlaybackMode;
  /** The `streaming.failed` event that switched the call to REST playback. */
  restAssignedBy: string;
  createdAt: number;
}

/** The fields a new call starts with (everything else has a starting value). */
export type NewCallRecord = Pick<CallRecord, 'callId' | 'agentId' | 'state' | 'direction' | 'from' | 'to' | 'playbackMode' | 'createdAt' | 'stateEvent'>;

export function parseCallRecord(hash: Record<string, string>): CallRecord | undefined {
  if (!hash.callId) return undefined;
  return {
    callId: hash.callId,
    agentId: hash.agentId ?? '',
    state: (hash.state ?? 'initiated') as CallState,
    direction: hash.direction === 'outgoing' ? 'outgoing' : 'incoming',
    from: hash.from ?? '',
    to: hash.to ?? '',
    turnId: hash.turnId ?? '0',
    turnKind: (hash.turnKind ?? 'user') as TurnKind,
    turnText: hash.turnText ?? '',
    turnAudioStarted: hash.turnAudioStarted === '1',
    bargedTurn: hash.bargedTurn ?? '',
    speaking: hash.speaking === '1',
    reprompts: Number(hash.reprompts ?? 0),
    closingTurn: hash.closingTurn ?? '',
    lastHeardAt: Number(hash.lastHeardAt ?? 0),
    stateEvent: hash.stateEvent ?? '',
    playbackMode: hash.playbackMode === 'rest' ? 'rest' : 'stream',
    restAssignedBy: hash.restAssignedBy ?? '',
    createdAt: Number(hash.createdAt ?? 0),
  };
}

/** A call that can still change: not ended, and known. */
export function isLive(call: CallRecord | undefined): call is CallRecord {
  return call !== undefined && call.state !== 'ended';
}
