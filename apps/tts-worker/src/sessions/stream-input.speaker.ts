import type { Clock } from '@app/clock';
import type { AgentConfig } from '@app/config';
import { StreamInputTurn, type CreateSocket, type SentenceResume, type TtsLogger } from '../elevenlabs';
import { SpeechOutput } from './speech-output';

export interface StreamInputSpeakerDeps {
  callId: string;
  baseUrl: string;
  apiKey: string;
  tts: AgentConfig['tts'];
  clock: Clock;
  logger: TtsLogger;
  out: SpeechOutput;
  createSocket?: CreateSocket;
}

/**
 * `tts.protocol: stream-input`: one stream-input socket per turn (the protocol has one generation
 * stream per socket, so it cannot carry a call's turns the way multi-stream-input's contexts do).
 * A new turn drops the previous turn's socket (its audio is superseded anyway); a turn whose socket
 * failed is finished over REST by the caller, and the next turn tries a socket again.
 */
export class StreamInputSpeaker {
  private turn?: StreamInputTurn;
  private turnId?: string;
  private readonly failedTurns = new Set<string>();

  constructor(private readonly deps: StreamInputSpeakerDeps) {}

  /** False when the turn was moved to REST: the caller speaks the sentence itself. */
  push(turnId: string, seq: number, text: string, last: boolean, resume?: SentenceResume): boolean {
    if (this.failedTurns.has(turnId)) return false;
    if (this.turnId !== turnId || !this.turn) {
      this.turn?.cancel();
      this.turnId = turnId;
      this.turn = this.open(turnId);
    }
    this.turn.push(seq, text, last, resume);
    return true;
  }

  cancel(turnId: string): void {
    if (this.turnId !== turnId) return;
    this.turn?.cancel();
    this.turn = undefined;
  }

  close(): void {
    this.turn?.cancel();
    this.turn = undefined;
  }

  private open(turnId: string): StreamInputTurn {
    const { callId, baseUrl, apiKey, tts, clock, logger, out, createSocket } = this.deps;
    return new StreamInputTurn({
      callId,
      turnId,
      baseUrl,
      apiKey,
      voiceId: tts.voiceId,
      modelId: tts.modelId,
      outputFormat: tts.outputFormat,
      inactivityTimeoutS: tts.inactivityTimeoutS,
      autoMode: tts.autoMode,
      voiceSettings: tts.voiceSettings,
      clock,
      logger,
      createSocket,
      output: {
        audio: (t, seq, chunk, audio, text) => out.chunk(t, seq, chunk, audio, text),
        sentenceEnd: (t, seq, chunks, last) => out.sentenceEnd(t, seq, chunks, last),
        ttfb: (t, seq, ms) => out.ttfb(t, seq, ms),
        socketOpened: () => out.socketOpened(),
        socketClosed: () => out.socketClosed(),
        failed: (t, pending, complete) => {
          this.failedTurns.add(t);
          for (const old of this.failedTurns) if (old !== t) this.failedTurns.delete(old);
          if (this.turnId === t) this.turn = undefined;
          out.fallback(t, pending, complete);
        },
      },
    });
  }
}
