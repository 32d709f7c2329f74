import { Clock } from '@app/clock';
import { CallLifecycle } from './call-lifecycle';
import { CallWebhooks } from './call-webhooks';
import { CallState, SimCall, TurnRecord } from './call.registry';
import { MediaStreamState } from './media-stream.client';
import { GREETING_TURN } from './ear';

/**
 * The person on the phone. Waits for answer and media, lets the greeting play, then for each
 * utterance waits until the agent has answered the previous one and been silent for `pauseMs` (or,
 * for a barge-in, until `bargeInAfterMs` after the agent's audio started), and "speaks": DTMF digits,
 * growing interim transcripts, then the final one, whose send time is the turn's `finalSentAt`.
 * After the last answer (with an empty script: after the greeting) it hangs up. Telnyx only
 * transcribes when transcription was started, so an utterance spoken without it produces no webhook
 * (the turn says `transcribed: false`).
 */
/** Silence after the agent's last audio before the caller speaks: a natural conversational pause. */
export const DEFAULT_PAUSE_MS = 600;
/** Interim transcripts come every ~250 ms from streaming STT engines. */
export const DEFAULT_INTERIM_INTERVAL_MS = 250;
export const DEFAULT_INTERIM_STEPS = 2;
/** How long the caller waits for answer, for media, and for the agent to start answering. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 10_000;
export const DEFAULT_MEDIA_TIMEOUT_MS = 5_000;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 10_000;
export const DEFAULT_CONFIDENCE = 0.97;
/** Between DTMF digits: a 50 ms tone and a 50 ms pause, the usual keypad timing. */
export const DTMF_INTERVAL_MS = 100;

export interface ScriptedUtterance {
  text: string;
  /** Speak while the agent is still talking: N ms after its audio for the previous turn started. */
  bargeInAfterMs?: number;
  /** Digits pressed before speaking. */
  dtmf?: string;
}

export interface CallerOptions {
  pauseMs: number;
  interimIntervalMs: number;
  interimSteps: number;
  /** "as-requested": interims only when the transcription config asked for `interim_results`. */
  interimResults: 'as-requested' | 'always' | 'never';
  answerTimeoutMs: number;
  mediaTimeoutMs: number;
  responseTimeoutMs: number;
  confidence: number;
}

export const DEFAULT_CALLER_OPTIONS: CallerOptions = {
  pauseMs: DEFAULT_PAUSE_MS,
  interimIntervalMs: DEFAULT_INTERIM_INTERVAL_MS,
  interimSteps: DEFAULT_INTERIM_STEPS,
  interimResults: 'as-requested',
  answerTimeoutMs: DEFAULT_ANSWER_TIMEOUT_MS,
  mediaTimeoutMs: DEFAULT_MEDIA_TIMEOUT_MS,
  responseTimeoutMs: DEFAULT_RESPONSE_TIMEOUT_MS,
  confidence: DEFAULT_CONFIDENCE,
};

export class ScriptedCaller {
  constructor(
    private readonly clock: Clock,
    private readonly webhooks: CallWebhooks,
    private readonly lifecycle: CallLifecycle,
    private readonly options: CallerOptions,
  ) {}

  /** Plays the script on `call`; resolves when the call has ended (by either side). */
  async run(call: SimCall, script: readonly ScriptedUtterance[]): Promise<void> {
    const o = this.options;
    try {
      if (!(await this.waitFor(call, () => call.state === CallState.Answered, o.answerTimeoutMs))) {
        this.lifecycle.hangup(call, 'phone', 'originator_cancel');
        return;
      }
      await this.waitFor(call, () => call.stream?.state === MediaStreamState.Open, o.mediaTimeoutMs);
      for (const [index, utterance] of script.entries()) {
        const started = await this.waitForTurnAudio(call, index === 0 ? GREETING_TURN : index - 1);
        if (utterance.bargeInAfterMs !== undefined && started !== undefined) await this.sleepUntil(call, started + utterance.bargeInAfterMs);
        else await this.waitForSilence(call);
        await this.speak(call, index, utterance);
      }
      await this.waitForTurnAudio(call, script.length === 0 ? GREETING_TURN : script.length - 1);
      await this.waitForSilence(call);
      this.lifecycle.hangup(call, 'phone');
    } catch (error) {
      if (!call.lifetime.signal.aborted) throw error;
    }
  }

  private async speak(call: SimCall, index: number, utterance: ScriptedUtterance): Promise<void> {
    const turn: TurnRecord = { index, text: utterance.text, bargeIn: utterance.bargeInAfterMs !== undefined, dtmf: utterance.dtmf, transcribed: false };
    call.turns.push(turn);
    const digits = [...(utterance.dtmf ?? '')];
    for (const [i, digit] of digits.entries()) {
      turn.utteranceStartedAt ??= this.clock.epochNow();
      this.webhooks.dtmf(call, digit);
      call.stream?.sendDtmf(digit);
      if (i < digits.length - 1 || utterance.text) await this.clock.sleep(DTMF_INTERVAL_MS, call.lifetime.signal);
    }
    const track = call.transcription.track;
    if (utterance.text && this.wantsInterims(call)) {
      for (const prefix of interimPrefixes(utterance.text, this.options.interimSteps)) {
        turn.utteranceStartedAt ??= this.clock.epochNow();
        if (call.transcription.active) {
          this.webhooks.transcription(call, { transcript: prefix, is_final: false, confidence: this.options.confidence, transcription_track: track });
        }
        await this.clock.sleep(this.options.interimIntervalMs, call.lifetime.signal);
      }
    }
    const now = this.clock.epochNow();
    turn.utteranceStartedAt ??= now;
    turn.finalSentAt = now;
    call.ear.beginTurn(index);
    if (utterance.text && call.transcription.active) {
      turn.transcribed = true;
      this.webhooks.transcription(call, { transcript: utterance.text, is_final: true, confidence: this.options.confidence, transcription_track: track });
    }
  }

  private wantsInterims(call: SimCall): boolean {
    if (this.options.interimResults === 'always') return true;
    return this.options.interimResults === 'as-requested' && call.transcription.interimResults;
  }

  /** When the turn's first audible frame plays; undefined if it did not come within the timeout. */
  private async waitForTurnAudio(call: SimCall, turn: number): Promise<number | undefined> {
    const scheduled = () => call.ear.firstAudibleAt(turn, this.clock.epochNow(), true);
    if (!(await this.waitFor(call, () => scheduled() !== undefined, this.options.responseTimeoutMs))) return undefined;
    const first = scheduled()!;
    await this.sleepUntil(call, first);
    return first;
  }

  /** Until the agent has been silent for `pauseMs` after its last audible audio. */
  private async waitForSilence(call: SimCall): Promise<void> {
    const since = this.clock.epochNow();
    for (;;) {
      const due = (call.ear.lastAudibleEnd() ?? since) + this.options.pauseMs;
      if (!(await this.sleepUntil(call, due))) return;
    }
  }

  /** Sleeps until epoch `at`; false when `at` had already passed. */
  private async sleepUntil(call: SimCall, at: number): Promise<boolean> {
    const waitMs = at - this.clock.epochNow();
    if (waitMs <= 0) return false;
    await this.clock.sleep(waitMs, call.lifetime.signal);
    return true;
  }

  /** Resolves true when `check` holds (re-checked on every change of the call or its ear), false on timeout. */
  private waitFor(call: SimCall, check: () => boolean, timeoutMs: number): Promise<boolean> {
    const signal = call.lifetime.signal;
    if (check()) return Promise.resolve(true);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        offEar();
        offCall();
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onChange = () => check() && finish(() => resolve(true));
      const onAbort = () => finish(() => reject(signal.reason));
      const offEar = call.ear.onChange(onChange);
      const offCall = call.changes.on(onChange);
      const timer = this.clock.setTimeout(() => finish(() => resolve(check())), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Growing interim transcripts: `steps` prefixes of the words, each shorter than the final text. */
export function interimPrefixes(text: string, steps: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const prefixes: string[] = [];
  for (let k = 1; k <= steps; k++) {
    const count = Math.ceil((words.length * k) / (steps + 1));
    const prefix = words.slice(0, count).join(' ');
    if (count < words.length && prefix !== prefixes[prefixes.length - 1]) prefixes.push(prefix);
  }
  return prefixes;
}
