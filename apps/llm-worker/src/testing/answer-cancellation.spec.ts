import { LlmWorkerRig, compareStreamIds, sleep, waitUntil } from './llm-worker.harness';

/**
 * Cancellation and stale turns against a real llm-worker, a private Redis and the OpenAI simulator.
 * The simulator is slow here (25 ms per token) so that a cancel lands mid-answer, between sentences.
 */
describe('llm-worker: cancellation and stale turns', () => {
  const rig = new LlmWorkerRig({ firstTokenLatencyMs: 10, tokensPerSecond: 40 });

  beforeAll(() => rig.start(), 20_000);
  afterAll(() => rig.stop());

  it('a turn.cancel mid-answer aborts the HTTP stream and no sentence of the turn reaches the bus after it', async () => {
    const callId = 'cancel-1';
    rig.answers.set(
      `${callId}/1`,
      'First of all, thank you for calling us today. Second, the office opens at nine. Third, it closes at five. Fourth, we are closed on Sundays.',
    );
    const abortedBefore = rig.simulator.abortedStreams;
    await rig.turn(callId, '1', 'When are you open?');
    await waitUntil(async () => (await rig.sentences(callId, '1')).length >= 1, 'the first sentence');
    const cancel = await rig.cancel(callId, '1');

    await waitUntil(() => rig.simulator.abortedStreams > abortedBefore, 'the HTTP stream to be aborted', 2_000);
    // The rest of the answer would have taken ~1 s more: wait that long for anything that leaks.
    await sleep(1_200);
    const sentences = await rig.sentences(callId, '1');
    expect(sentences.length).toBeGreaterThanOrEqual(1);
    for (const s of sentences) {
      expect(compareStreamIds(s.id, cancel.id)).toBeLessThan(0);
      expect(s.message.at).toBeLessThanOrEqual(cancel.at);
    }
    expect(sentences.some((s) => s.message.last)).toBe(false);
    expect(sentences.map((s) => s.message.seq)).toEqual(sentences.map((_, i) => i));
    expect(rig.simulator.activeStreams).toBe(0);
    expect(rig.requestsFor(callId, '1')).toHaveLength(1);
  });

  it('a cancel before the first token: the request is aborted, nothing of the turn is published, the next turn is answered', async () => {
    const callId = 'cancel-2';
    rig.simulator.slowFirstToken(250, 1);
    const abortedBefore = rig.simulator.abortedStreams;
    await rig.turn(callId, '1', 'Hello there.');
    await waitUntil(() => rig.simulator.activeStreams > 0, 'the request to reach the simulator');
    await rig.cancel(callId, '1');
    await waitUntil(() => rig.simulator.abortedStreams > abortedBefore, 'the HTTP stream to be aborted', 2_000);

    await rig.turn(callId, '2', 'Are you there?');
    await rig.answered(callId, '2');
    expect(await rig.sentences(callId, '1')).toEqual([]);
    expect(rig.requestsFor(callId, '1')).toHaveLength(1);
  });

  it('a stale turn (the hash moved on to a newer turn) is skipped without calling the LLM', async () => {
    const callId = 'stale-1';
    await rig.currentTurn(callId, '3');
    await rig.publishTurn(callId, '2', 'An old question.');
    // Turns of one call are handled in order: once turn 3 is answered, turn 2 was handled before it.
    await rig.publishTurn(callId, '3', 'The new question.');
    await rig.answered(callId, '3');
    expect(await rig.sentences(callId, '2')).toEqual([]);
    expect(rig.requestsFor(callId, '2')).toEqual([]);
    expect(rig.requestsFor(callId, '3')).toHaveLength(1);
  });

  it('a turn of an ended call is skipped without calling the LLM', async () => {
    const callId = 'stale-2';
    await rig.redis.hset(`call:{${callId}}`, { callId, agentId: 'main', state: 'ended', turnId: '1' });
    await rig.publishTurn(callId, '1', 'Anyone?');
    await rig.turn('stale-2-probe', '1', 'Probe.');
    await rig.answered('stale-2-probe', '1');
    await sleep(100);
    expect(await rig.sentences(callId)).toEqual([]);
    expect(rig.requestsFor(callId)).toEqual([]);
  });
});

/**
 * Regression. Symptom: after a `merge` cancel, the merged turn's half question and partial answer were
 * back in history. Cause: the cancelled generation appended what it had published after the consumer
 * had removed the turn. Fix: a merge or hangup cancel leaves nothing in history.
 */
describe('llm-worker: a merged turn leaves no history', () => {
  const rig = new LlmWorkerRig({ firstTokenLatencyMs: 10, tokensPerSecond: 40 });

  beforeAll(() => rig.start(), 20_000);
  afterAll(() => rig.stop());

  it('merge cancel mid-answer: neither the half question nor its answer is sent with the next turn', async () => {
    const callId = 'merge-1';
    rig.answers.set(`${callId}/1`, 'Sure, let me check that for you right now. The first thing is the date. The second is the time.');
    await rig.turn(callId, '1', 'I would like to');
    await waitUntil(async () => (await rig.sentences(callId, '1')).length >= 1, 'the first sentence');
    await rig.cancel(callId, '1', 'merge');
    await sleep(300);
    await rig.turn(callId, '2', 'I would like to book a table.');
    await rig.answered(callId, '2');
    expect(rig.requestsFor(callId, '2')[0].messages.map((m) => m.role)).toEqual(['system', 'user']);
  });
});
