import { AppMetrics } from '@app/telemetry';
import { SpeechMetricsHooks } from './speech-metrics.hooks';

describe('SpeechMetricsHooks', () => {
  it('logs the Sentence #N TTFB marker and feeds the metrics operators watch', async () => {
    const lines: Array<[object, string]> = [];
    const logger = { info: (fields: object, msg: string) => lines.push([fields, msg]) } as never;
    const metrics = new AppMetrics({ app: 'tts-worker', defaultMetrics: false });
    const hooks = new SpeechMetricsHooks(metrics, logger);
    hooks.ttfb('v3:c', '4', 0, 182.4);
    hooks.socketOpened();
    hooks.socketOpened();
    hooks.socketClosed();
    hooks.reconnect();
    hooks.fallback();
    expect(lines).toEqual([[{ callId: 'v3:c', turnId: '4', seq: 0, sentence: 1, ttfbMs: 182 }, 'Sentence #1 TTFB: 182ms']]);
    const text = await metrics.render();
    expect(text).toMatch(/voice_tts_ttfb_ms_count\{app="tts-worker"\} 1/);
    expect(text).toMatch(/voice_tts_open_sockets\{app="tts-worker"\} 1/);
    expect(text).toMatch(/voice_reconnects_total\{target="elevenlabs",app="tts-worker"\} 1/);
    expect(text).toMatch(/voice_fallbacks_total\{kind="tts-rest",app="tts-worker"\} 1/);
  });
});
