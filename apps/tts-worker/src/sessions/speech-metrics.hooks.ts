import { AppLogger, AppMetrics, logSentenceTtfb } from '@app/telemetry';
import { SpeechHooks } from './speech-output';

/** Every call's speech events, onto the process's metrics and the latency log markers operators grep for. */
export class SpeechMetricsHooks implements SpeechHooks {
  private openSockets = 0;

  constructor(
    private readonly metrics: AppMetrics,
    private readonly logger: AppLogger,
  ) {}

  ttfb(callId: string, turnId: string, seq: number, ttfbMs: number): void {
    logSentenceTtfb(this.logger, callId, turnId, seq, ttfbMs);
    this.metrics.observeTtsTtfb(ttfbMs);
  }

  socketOpened(): void {
    this.metrics.setTtsOpenSockets(++this.openSockets);
  }

  socketClosed(): void {
    this.openSockets = Math.max(0, this.openSockets - 1);
    this.metrics.setTtsOpenSockets(this.openSockets);
  }

  reconnect(): void {
    this.metrics.reconnect('elevenlabs');
  }

  fallback(): void {
    this.metrics.fallback('tts-rest');
  }
}
