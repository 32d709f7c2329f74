import pino from 'pino';
import { Writable } from 'node:stream';
import { logFirstAudioStarted, logSentenceTtfb } from './latency-log';

/** A real pino logger writing JSON lines into an array, so the markers are checked as operators see them. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ base: undefined, timestamp: false }, sink), lines };
}

describe('latency log markers', () => {
  it('logs FIRST AUDIO STARTED with the whole ms in the text and in the fields', () => {
    const { logger, lines } = capturingLogger();
    logFirstAudioStarted(logger, 'call-1', '3', 612.6);
    expect(lines).toEqual([{ level: 30, callId: 'call-1', turnId: '3', firstAudioMs: 613, msg: 'FIRST AUDIO STARTED: 613ms from user stop' }]);
  });

  it('logs Sentence #n TTFB counting sentences from 1', () => {
    const { logger, lines } = capturingLogger();
    logSentenceTtfb(logger, 'call-1', '3', 0, 181.2);
    logSentenceTtfb(logger, 'call-1', '3', 1, 95);
    expect(lines.map((line) => line.msg)).toEqual(['Sentence #1 TTFB: 181ms', 'Sentence #2 TTFB: 95ms']);
    expect(lines[1]).toEqual({ level: 30, callId: 'call-1', turnId: '3', seq: 1, sentence: 2, ttfbMs: 95, msg: 'Sentence #2 TTFB: 95ms' });
  });
});
