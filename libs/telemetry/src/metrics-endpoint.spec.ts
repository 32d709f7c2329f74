import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MetricsController } from '../../core/src/metrics.controller';
import { APP_METRICS, AppMetrics } from './metrics';

/** The controller lives in libs/core; its test sits with the metrics it serves. */
describe('GET /metrics', () => {
  let app: INestApplication;
  const metrics = new AppMetrics({ app: 'gateway', defaultMetrics: false });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [MetricsController],
      providers: [{ provide: APP_METRICS, useValue: metrics }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(() => app.close());

  it('answers the Prometheus text format with the values observed so far', async () => {
    metrics.observeFirstAudio(640);
    const response = await fetch(`${await app.getUrl()}/metrics`);
    expect(response.status).toBe(200);
    // Express re-orders the parameters (charset first); Prometheus reads them in any order.
    const [mediaType, ...parameters] = (response.headers.get('content-type') ?? '').split(/;\s*/);
    expect([mediaType, parameters.sort()]).toEqual(['text/plain', ['charset=utf-8', 'version=0.0.4']]);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text).toContain('# TYPE voice_first_audio_ms histogram');
    expect(text).toContain('voice_first_audio_ms_sum{app="gateway"} 640');
  });
});
