import { AppMetrics, METRICS_CONTENT_TYPE } from './metrics';

/** The sample lines of a rendered registry, as `name{labels} value`. */
const samples = (text: string): string[] => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

describe('AppMetrics', () => {
  it('renders every voice metric with the values observed, labelled with the app', async () => {
    const metrics = new AppMetrics({ app: 'llm-worker', defaultMetrics: false });
    metrics.observeFirstAudio(420);
    metrics.observeFirstAudio(1300);
    metrics.observeOverhead(7);
    metrics.observeTtsTtfb(180);
    metrics.observeLlmFirstToken(250);
    metrics.observeGap(0);
    metrics.setLiveCalls(3);
    metrics.callStarted();
    metrics.callEnded();
    metrics.callEnded();
    metrics.setTtsOpenSockets(5);
    metrics.setTtsHeldShards(16);
    metrics.fallback('tts-rest');
    metrics.fallback('tts-rest');
    metrics.reconnect('elevenlabs');
    metrics.bargeIn();
    metrics.deadLetter('turns');

    const lines = samples(await metrics.render());

    expect(lines).toEqual(
      expect.arrayContaining([
        'voice_first_audio_ms_bucket{le="400",app="llm-worker"} 0',
        'voice_first_audio_ms_bucket{le="500",app="llm-worker"} 1',
        'voice_first_audio_ms_bucket{le="1500",app="llm-worker"} 2',
        'voice_first_audio_ms_sum{app="llm-worker"} 1720',
        'voice_first_audio_ms_count{app="llm-worker"} 2',
        'voice_overhead_ms_bucket{le="10",app="llm-worker"} 1',
        'voice_overhead_ms_bucket{le="5",app="llm-worker"} 0',
        'voice_tts_ttfb_ms_sum{app="llm-worker"} 180',
        'voice_llm_first_token_ms_sum{app="llm-worker"} 250',
        'voice_gap_ms_bucket{le="0",app="llm-worker"} 1',
        'voice_live_calls{app="llm-worker"} 2',
        'voice_tts_open_sockets{app="llm-worker"} 5',
        'voice_tts_held_shards{app="llm-worker"} 16',
        'voice_fallbacks_total{kind="tts-rest",app="llm-worker"} 2',
        'voice_reconnects_total{target="elevenlabs",app="llm-worker"} 1',
        'voice_barge_ins_total{app="llm-worker"} 1',
        'voice_dead_letters_total{stream="turns",app="llm-worker"} 1',
      ]),
    );
    // Without a stream-lag source the gauges exist but have no series.
    expect(lines.some((line) => line.startsWith('redis_stream'))).toBe(false);
  });

  it('adds the default Node process metrics to its own registry, so two instances do not collide', async () => {
    const first = new AppMetrics({ app: 'a' });
    const second = new AppMetrics({ app: 'b' });
    const text = await second.render();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{app="b"\} \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{app="b"\} /m);
    expect(await first.render()).toMatch(/^nodejs_heap_size_used_bytes\{app="a"\} \d/m);
    expect(METRICS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});
