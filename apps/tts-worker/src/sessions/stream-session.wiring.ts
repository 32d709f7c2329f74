import { ElevenLabsStreamSession, TtsConnectionState } from '../elevenlabs';
import { SpeechHooks, SpeechOutput } from './speech-output';

/** The multi-stream-input session's events, onto the call's output and the process's hooks. */
export function wireStreamSession(stream: ElevenLabsStreamSession, out: SpeechOutput, hooks: SpeechHooks, turnEnd: (turnId: string) => void): void {
  stream.on('audio', (e) => out.chunk(e.turnId, e.seq, e.chunk, e.audio, e.text));
  stream.on('sentenceEnd', (e) => out.sentenceEnd(e.turnId, e.seq, e.chunks, e.last));
  stream.on('ttfb', (e) => out.ttfb(e.turnId, e.seq, e.ttfbMs));
  stream.on('turnEnd', (e) => turnEnd(e.turnId));
  stream.on('fallback', (e) => out.fallback(e.turnId, e.pending, e.turnComplete));
  stream.on('stateChange', (e) => {
    if (e.to === TtsConnectionState.Open) out.socketOpened();
    if (e.from === TtsConnectionState.Open) out.socketClosed();
    // A connection lost (or never made) and dialled again.
    if (e.to === TtsConnectionState.Reconnecting) hooks.reconnect();
  });
}
