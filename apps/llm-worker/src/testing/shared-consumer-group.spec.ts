import { LlmWorkerRig, defaultAnswer, sleep } from './llm-worker.harness';

/**
 * Two llm-worker instances in the `turns` consumer group, each with its own simulator (so the requests
 * each instance sent are counted apart): both answer some turns, every turn is answered exactly once.
 */
describe('llm-worker: two instances sharing the turns consumer group', () => {
  const rig = new LlmWorkerRig({ firstTokenLatencyMs: 20, tokensPerSecond: 200 });
  const CALLS = 10;

  beforeAll(() => rig.start(2), 30_000);
  afterAll(() => rig.stop());

  it('spreads turns of different calls over both instances and answers each once', async () => {
    const calls = Array.from({ length: CALLS }, (_, i) => `shared-${i}`);
    for (const callId of calls) {
      await rig.turn(callId, '1', `Question number ${callId}?`);
      await sleep(15);
    }
    for (const callId of calls) {
      const sentences = await rig.answered(callId, '1');
      expect(sentences.map((s) => s.message.text).filter(Boolean).join(' ')).toBe(defaultAnswer(`Question number ${callId}?`));
      expect(sentences.map((s) => s.message.seq)).toEqual(sentences.map((_, i) => i));
      expect(sentences.filter((s) => s.message.last)).toHaveLength(1);
    }
    const [a, b] = rig.requests.map((log) => log.length);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a + b).toBe(CALLS);
    for (const callId of calls) expect(rig.requestsFor(callId)).toHaveLength(1);
  });
});
