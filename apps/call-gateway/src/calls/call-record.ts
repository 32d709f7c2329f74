import { CallState, TurnKind } from '@app/contracts';

/** The call's state as kept in its Redis hash `call:{callId}` (flat fields, readable in redis-cli). */
export interface CallRecord {
  callId: string;
  agentId: string;
  state: CallState;
  direction: 'incoming' | 'outgoing';
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
  playbackMode: 'stream' | 'rest';
  createdAt: number;
}

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
    playbackMode: hash.playbackMode === 'rest' ? 'rest' : 'stream',
    createdAt: Number(hash.createdAt ?? 0),
  };
}
