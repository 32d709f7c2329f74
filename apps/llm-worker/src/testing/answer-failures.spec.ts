import { LLM_MAX_ATTEMPTS } from '../answer/answer-generation.service';
import { AGENTS, LlmWorkerRig, TEST_FIRST_TOKEN_TIMEOUT_MS, defaultAnswer } from './llm-worker.harness';

const APOLOGY = AGENTS.agents[0].llm.apology!;
const spoken = (sentences: { message: { text: string } }[]) => sentences.map((s) => s.message.text).filter(Boolean).join(' ');

/**
 * Failure paths against the OpenAI simulator's faults: retried while nothing of the turn is published,
 * the agent's apology otherwise, so the caller is never left in silence.
 */
describe('llm-worker: failure paths', () => {
  const rig = new LlmWorkerRig();

  beforeAll(() => rig.start(), 20_000);
  afterAll(() => rig.stop());
  afterEach(() => rig.simulator.clearFaults());

  /**
   * Regression. Symptom: a first token over the limit produced an empty answer (one '' sentence, last),
   * no retry. Cause: the openai SDK ends its stream quietly when the request is aborted mid-body, so the
   * timed-out attempt looked complete. Fix: streamAnswer throws when its attempt was aborted.
   */
  it('a first token slower than firstTokenTimeoutMs: the request is aborted and retried, the answer arrives', async () => {
    const abortedBefore = rig.simulator.abortedStreams;
    rig.simulator.slowFirstToken(TEST_FIRST_TOKEN_TIMEOUT_MS * 4, 1);
    await rig.turn('slow-1', '1', 'Is it slow?');
    const sentences = await rig.answered('slow-1', '1');
    expect(spoken(sentences)).toBe(defaultAnswer('Is it slow?'));
    expect(rig.requestsFor('slow-1', '1')).toHaveLength(2);
    expect(rig.simulator.abortedStreams).toBe(abortedBefore + 1);
  });

  it('429 then success: retried, answered once', async () => {
    rig.simulator.rateLimit(1, 1);
    await rig.turn('rate-1', '1', 'Too many?');
    const sentences = await rig.answered('rate-1', '1');
    expect(spoken(sentences)).toBe(defaultAnswer('Too many?'));
    expect(sentences.filter((s) => s.message.last)).toHaveLength(1);
  });

  it('500 then success: retried, answered once', async () => {
    const startedBefore = rig.simulator.startedStreams;
    rig.simulator.serverError(1);
    await rig.turn('err-1', '1', 'Server trouble?');
    const sentences = await rig.answered('err-1', '1');
    expect(spoken(sentences)).toBe(defaultAnswer('Server trouble?'));
    expect(rig.simulator.startedStreams).toBe(startedBefore + 1);
  });

  it('every attempt fails: the apology is published as the only and last sentence', async () => {
    rig.simulator.serverError(LLM_MAX_ATTEMPTS);
    await rig.turn('err-2', '1', 'Anybody home?');
    const sentences = await rig.answered('err-2', '1');
    expect(sentences.map((s) => [s.message.seq, s.message.text, s.message.last])).toEqual([[0, APOLOGY, true]]);
    expect(await rig.history('err-2')).toEqual([
      { turnId: '1', role: 'user', content: 'Anybody home?' },
      { turnId: '1', role: 'assistant', content: APOLOGY },
    ]);
  });

  it('stream cut after sentences were published: not retried, the apology ends the turn, nothing repeated', async () => {
    const answer = 'First of all, thank you for calling us today. Second, the office opens at nine. Third, it closes at five.';
    rig.answers.set('cut-1/1', answer);
    rig.simulator.cutStream(1, 20);
    await rig.turn('cut-1', '1', 'Opening hours?');
    const sentences = await rig.answered('cut-1', '1');
    const texts = sentences.map((s) => s.message.text);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts[texts.length - 1]).toBe(APOLOGY);
    expect(sentences.filter((s) => s.message.last).map((s) => s.message.seq)).toEqual([sentences.length - 1]);
    const before = texts.slice(0, -1).join(' ');
    expect(answer.startsWith(before)).toBe(true);
    expect(new Set(texts).size).toBe(texts.length);
    expect(sentences.map((s) => s.message.seq)).toEqual(sentences.map((_, i) => i));
    expect(rig.requestsFor('cut-1', '1')).toHaveLength(1);
    // History holds what reached the bus, not the unpublished tail of the cut stream.
    const history = await rig.history('cut-1');
    expect(history[1]).toEqual({ turnId: '1', role: 'assistant', content: `${before} ${APOLOGY}` });
  });

  it('stream cut before any sentence was published: retried, the whole answer arrives once', async () => {
    rig.simulator.cutStream(1, 3);
    await rig.turn('cut-2', '1', 'Early cut?');
    const sentences = await rig.answered('cut-2', '1');
    expect(spoken(sentences)).toBe(defaultAnswer('Early cut?'));
    expect(rig.requestsFor('cut-2', '1')).toHaveLength(2);
  });
});
