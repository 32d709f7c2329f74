import { ScriptedUtterance } from './sandbox-client';

/**
 * What each benchmark call says. The two modes differ only in the number called, which picks the
 * agent in deploy/agents.example.yaml: `receptionist` (persistent TTS socket, media streaming) or
 * `baseline-rest` (a new TTS connection per turn, batch-then-play, REST playback: the seed system).
 */
export type BenchMode = 'persistent' | 'baseline';

export const AGENT_NUMBERS: Record<BenchMode, string> = {
  persistent: '+15550100000',
  baseline: '+15550100999',
};

/**
 * How long after the agent's answer started the caller talks over it. The simulated answers are three
 * or four sentences (several seconds of audio), so 1.2 s always lands mid-answer, after the first
 * sentence has been heard.
 */
export const BARGE_IN_AFTER_MS = 1_200;

/**
 * Questions the callers ask, in rotation. Each has at least six words, so the first interim transcript
 * (a third of the words) already carries the two words the agents' barge-in needs (`minWords: 2`).
 */
export const QUESTIONS = [
  'Hi, what are your opening hours on Saturday?',
  'Great. Can I book a table for four people at seven?',
  'Perfect, and do you have vegetarian options on the menu?',
  'Is there parking near the restaurant in the evening?',
  'Could you tell me whether you take card payments?',
  'Do you have a quiet table for a business dinner?',
  'How far in advance should I book for a birthday party?',
  'Can I bring my dog if we sit on the terrace?',
];

export interface PlannedCall {
  from: string;
  to: string;
  script: ScriptedUtterance[];
  /** Index of the utterance that barges in, if this call's script does. */
  bargeInTurn?: number;
}

export interface CallPlanOptions {
  mode: BenchMode;
  calls: number;
  turns: number;
  bargeInShare: number;
  /** Numbering offset so no two calls of one run share a caller number. */
  firstCallNumber?: number;
}

/**
 * How many of `calls` barge in: the share rounded, and at least one whenever the share is positive, so a
 * one-call level measures barge-in too.
 */
export function bargeInCount(calls: number, share: number): number {
  if (share <= 0 || calls <= 0) return 0;
  return Math.min(calls, Math.max(1, Math.round(calls * share)));
}

/** Which calls barge in: `count` of `calls`, spread evenly (the first call always among them). */
export function bargeInCalls(calls: number, count: number): Set<number> {
  const chosen = new Set<number>();
  for (let k = 0; k < count; k++) chosen.add(Math.floor((k * calls) / count));
  return chosen;
}

/**
 * The calls of one level. A barging call interrupts the answer to its first question (its second
 * utterance barges in), or the greeting when it has a single turn.
 */
export function planCalls(options: CallPlanOptions): PlannedCall[] {
  const barging = bargeInCalls(options.calls, bargeInCount(options.calls, options.bargeInShare));
  const bargeTurn = options.turns >= 2 ? 1 : 0;
  return Array.from({ length: options.calls }, (_, i): PlannedCall => {
    const number = (options.firstCallNumber ?? 0) + i;
    const script: ScriptedUtterance[] = Array.from({ length: options.turns }, (_, t) => ({
      text: QUESTIONS[(i + t) % QUESTIONS.length],
      ...(barging.has(i) && t === bargeTurn ? { bargeInAfterMs: BARGE_IN_AFTER_MS } : {}),
    }));
    return {
      from: callerNumber(number),
      to: AGENT_NUMBERS[options.mode],
      script,
      ...(barging.has(i) ? { bargeInTurn: bargeTurn } : {}),
    };
  });
}

/** +1 555 2xx xxxx: a fictional 555 number, one per call of the run. */
export function callerNumber(n: number): string {
  return `+1555${String(200_0000 + (n % 100_0000)).padStart(7, '0')}`;
}
