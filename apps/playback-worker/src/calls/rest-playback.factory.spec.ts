import pino from 'pino';
import { FakeClock, flushMicrotasks } from '@app/clock';
import { loadConfig } from '@app/config';
import { AppMetrics } from '@app/telemetry';
import { FakeReports, sentence } from '../rest/rest-playback.harness';
import { PlaybackReporter } from './playback-reporter';
import { RestPlaybackFactory } from './rest-playback.factory';

/** A pino logger whose lines the test reads. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string; err?: { category?: string } }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function factoryWith(env: Record<string, string>) {
  const { logger, lines } = recordingLogger();
  const reports = new FakeReports();
  const metrics = { observeGap: () => undefined } as unknown as AppMetrics;
  const config = loadConfig({ TELNYX_BASE_URL: 'http://127.0.0.1:9/v2', ...env });
  const factory = new RestPlaybackFactory(config, new FakeClock(), metrics, logger, reports as unknown as PlaybackReporter);
  return { factory, lines, reports };
}

const ERROR = 50;

describe('RestPlaybackFactory', () => {
  it('verifies the system ffmpeg at start', async () => {
    const { factory, lines } = factoryWith({ PATH: process.env.PATH ?? '' });
    await factory.onApplicationBootstrap();
    expect(factory.status).toEqual({ ready: true });
    expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
  });

  it('without ffmpeg: says so loudly at start, and a REST call reports every sentence lost', async () => {
    const { factory, lines, reports } = factoryWith({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
    await factory.onApplicationBootstrap();
    expect(factory.status.ready).toBe(false);
    expect(lines.find((l) => l.level === ERROR)?.msg).toMatch(/^FFMPEG UNAVAILABLE/);

    const session = factory.create('v3:call-1', { known: true, state: 'speaking', turnId: '1' }, undefined);
    expect(lines.filter((l) => l.msg.startsWith('rest playback assigned but ffmpeg is unavailable'))).toHaveLength(1);
    for (const entry of [...sentence('1', 0, 'Hello.'), ...sentence('1', 1, 'Bye.', { last: true })]) session.onAudio(entry);
    await flushMicrotasks();
    const lost = lines.filter((l) => l.msg === 'rest playback: sentence lost');
    expect(lost.map((l) => l.err?.category)).toEqual(['binary-missing', 'binary-missing']);
    // Turn-taking is not left waiting: the turn ends, with nothing heard.
    expect(reports.log).toEqual(['finished 1', 'heard 1 ""']);
  });
});
