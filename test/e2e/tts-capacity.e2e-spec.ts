import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedChild, startNodeChild, waitForHttpOk } from '../../scripts/lib/child-process';
import { builtAppScript } from '../../scripts/lib/project-root';
import { freePort } from '../support/free-port';
import { SIM_KEY, TtsSystem, metricValue, sleep, waitUntil } from '../../apps/tts-worker/src/testing/tts-system.harness';
import { problemsOf } from '../../apps/tts-worker/src/testing/audio-log.harness';

/**
 * Capacity of one tts-worker process (built: `npm run build`): CALLS concurrent calls, each with its
 * own persistent socket opened at answer and kept; then every call speaks a turn, the turns spread over
 * TURN_SPREAD_MS as callers take turns in real conversations. Measures what a call costs the worker in
 * memory (heap and RSS, from its /metrics) and checks every sentence of every call is heard once,
 * whole. The ElevenLabs simulator runs as a process of its own (the sandbox, split), as the real
 * service is elsewhere: its event loop must not be the bottleneck being measured.
 * Numbers go to the console and to capacity.json in the log folder.
 */
jest.setTimeout(240_000);

const CALLS = Number(process.env.TTS_CAPACITY_CALLS ?? 500);
const ANSWER = ['Thanks for calling, this is the test line.', 'Is there anything else I can help you with?'];
/** Opening calls in batches: the gateway answers calls over time, not all in one millisecond. */
const OPEN_BATCH = 50;
/** Turns start over this span: ~25 turns a second, ~50 generating at once, every call once. */
const TURN_SPREAD_MS = 20_000;
/** Heap samples per measurement, 250 ms apart: a few young-generation GCs happen meanwhile. */
const HEAP_SAMPLES = 12;
const HEAP_SAMPLE_EVERY_MS = 250;
/** The service's handshake and first-byte latencies (providers.md), at its real generation speed. */
const SIMULATOR = { handshakeLatencyMs: 350, firstByteLatencyMs: 150, generationSpeed: 4 };

describe(`one tts-worker process, ${CALLS} concurrent calls`, () => {
  let system: TtsSystem;
  let sandbox: ManagedChild;
  let worker: ManagedChild;
  let port = 0;
  const logDir = mkdtempSync(join(tmpdir(), 'tts-capacity-'));
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  /** Live heap: the smallest used heap over a few samples (right after a GC is what is really held). */
  const liveHeap = async () => {
    let min = Infinity;
    for (let i = 0; i < HEAP_SAMPLES; i++, await sleep(HEAP_SAMPLE_EVERY_MS)) min = Math.min(min, metricValue(await scrape(), 'nodejs_heap_size_used_bytes'));
    return min;
  };

  beforeAll(async () => {
    const config = { webhookUrl: 'http://127.0.0.1:9/unused', processes: 'split', keys: { elevenlabs: SIM_KEY }, elevenlabs: SIMULATOR };
    sandbox = startNodeChild('sandbox', builtAppScript('sandbox'), { PATH: process.env.PATH, SANDBOX_CONFIG: JSON.stringify(config) }, logDir);
    const endpoints = JSON.parse(await sandbox.waitForLine('SANDBOX_READY', 20_000)) as { elevenlabsBaseUrl: string };
    system = new TtsSystem(undefined, endpoints.elevenlabsBaseUrl);
    await system.start();
    port = await freePort();
    worker = startNodeChild('tts-capacity', builtAppScript('tts-worker'), system.env('tts-capacity', { TTS_HEALTH_PORT: String(port), LOG_LEVEL: 'warn' }), logDir);
    await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, 20_000);
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await sandbox?.stop('SIGKILL');
    await system?.stop();
  });

  it('holds every call\'s socket and speaks a turn on all of them at once', async () => {
    const calls = Array.from({ length: CALLS }, (_, i) => `v3:cap-${i}`);
    const t0 = Date.now();
    const phase = (name: string) => process.stderr.write(`[capacity] ${name} at ${Date.now() - t0} ms\n`);
    await sleep(1_000); // the worker settles (JIT, first GCs) before the baseline
    const idle = await scrape();
    const idleHeap = await liveHeap();
    for (let i = 0; i < calls.length; i += OPEN_BATCH) await Promise.all(calls.slice(i, i + OPEN_BATCH).map((c) => system.openCall(c)));
    await waitUntil(async () => metricValue(await scrape(), 'voice_tts_open_sockets') === CALLS, `${CALLS} sockets open`, 60_000, 200);
    phase('sockets open');
    const openHeap = await liveHeap();
    const open = await scrape();

    const startedAt = Date.now();
    await Promise.all(
      calls.map(async (c, i) => {
        await sleep((i * TURN_SPREAD_MS) / CALLS);
        await system.answer(c, '1', ANSWER.map((text) => ({ text })));
      }),
    );
    phase('turns published');
    let waiting = calls;
    await waitUntil(async () => {
      const done = await Promise.all(waiting.map(async (c) => (await system.audio(c)).turnComplete('1')));
      waiting = waiting.filter((_, i) => !done[i]);
      return waiting.length === 0;
    }, 'every turn spoken', 60_000, 500);
    const spokeMs = Date.now() - startedAt;
    phase('turns spoken');
    const problems: string[] = [];
    for (const callId of calls) problems.push(...problemsOf(await system.audio(callId), '1', ANSWER).map((p) => `${callId}: ${p}`));
    const busy = await scrape();
    phase('checked');
    await Promise.all(calls.map((c) => system.hangup(c)));
    await waitUntil(async () => metricValue(await scrape(), 'voice_tts_open_sockets') === 0, 'sockets closed', 30_000, 200);

    const rss = (t: string) => metricValue(t, 'process_resident_memory_bytes');
    const report = {
      calls: CALLS,
      heapPerCallKiB: round((openHeap - idleHeap) / CALLS / 1024),
      rssPerCallKiB: round((rss(open) - rss(idle)) / CALLS / 1024),
      heapIdleMiB: round(idleHeap / 2 ** 20),
      heapWithCallsMiB: round(openHeap / 2 ** 20),
      rssWithCallsMiB: round(rss(open) / 2 ** 20),
      rssSpeakingMiB: round(rss(busy) / 2 ** 20),
      allTurnsSpokenMs: spokeMs,
      ttfbMeanMs: round(metricValue(busy, 'voice_tts_ttfb_ms_sum') / Math.max(1, metricValue(busy, 'voice_tts_ttfb_ms_count'))),
      eventLoopLagP99Ms: round(metricValue(busy, 'nodejs_eventloop_lag_p99_seconds') * 1000),
      reconnects: metricValue(busy, 'voice_reconnects_total', 'elevenlabs'),
      fallbacks: metricValue(busy, 'voice_fallbacks_total', 'tts-rest'),
    };
    writeFileSync(join(logDir, 'capacity.json'), JSON.stringify(report, null, 2));
    console.log(`tts-worker capacity (${logDir}):\n${JSON.stringify(report, null, 2)}`);

    expect(problems).toEqual([]);
    expect(report.reconnects).toBe(0);
    expect(report.fallbacks).toBe(0);
  });
});

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
