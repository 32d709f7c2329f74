import { LagProbe } from './bench-lag-probe';

describe('sandbox lag probe', () => {
  it('records each health check’s round trip, failed ones included, until stopped', async () => {
    let now = 0;
    let calls = 0;
    let release!: () => void;
    const threeDone = new Promise<void>((resolve) => (release = resolve));
    const probe = new LagProbe(
      async () => {
        calls += 1;
        now += calls * 10; // the health check "takes" 10, 20, 30 ms...
        if (calls === 3) release();
        if (calls === 2) throw new Error('ECONNRESET');
      },
      0,
      () => now,
    );
    probe.start();
    await threeDone;
    const samples = await probe.stop();
    expect(samples.slice(0, 3)).toEqual([10, 20, 30]);
  });
});
