import { LlmWorkerRig, waitUntil } from './llm-worker.harness';

const chat = (request: { messages: { role: string; content: unknown }[] }) => request.messages.map((m) => [m.role, m.content]);

/** History in Redis as the next request sees it: previous turns, what was heard, the budget. */
describe('llm-worker: conversation history', () => {
  const rig = new LlmWorkerRig();

  beforeAll(() => rig.start(), 20_000);
  afterAll(() => rig.stop());

  it('the next request carries the previous turns; after turn.heard {complete:false} the assistant message is what was heard', async () => {
    const callId = 'hist-1';
    rig.answers.set(`${callId}/1`, 'We open at nine.');
    rig.answers.set(`${callId}/2`, 'Parking is free. It is behind the building. Anything else?');
    await rig.turn(callId, '1', 'When do you open?');
    await rig.answered(callId, '1');
    await rig.turn(callId, '2', 'Is there parking?');
    await rig.answered(callId, '2');
    expect(chat(rig.requestsFor(callId, '2')[0])).toEqual([
      ['system', 'You are a test agent.'],
      ['user', 'When do you open?'],
      ['assistant', 'We open at nine.'],
      ['user', 'Is there parking?'],
    ]);

    // The caller barged in during turn 2's playback: only its first sentence was heard.
    await rig.heard(callId, '2', 'Parking is free.', false);
    await waitUntil(async () => (await rig.history(callId))[3]?.content === 'Parking is free.', 'the heard text in history');
    await rig.turn(callId, '3', 'Thanks.');
    await rig.answered(callId, '3');
    expect(chat(rig.requestsFor(callId, '3')[0])).toEqual([
      ['system', 'You are a test agent.'],
      ['user', 'When do you open?'],
      ['assistant', 'We open at nine.'],
      ['user', 'Is there parking?'],
      ['assistant', 'Parking is free.'],
      ['user', 'Thanks.'],
    ]);
  });

  it('a complete turn.heard leaves the generated answer in history', async () => {
    const callId = 'hist-2';
    rig.answers.set(`${callId}/1`, 'Yes we do.');
    await rig.turn(callId, '1', 'Do you deliver?');
    await rig.answered(callId, '1');
    await rig.heard(callId, '1', 'Yes we do.', true);
    await rig.turn(callId, '2', 'Great.');
    await rig.answered(callId, '2');
    expect(chat(rig.requestsFor(callId, '2')[0])[2]).toEqual(['assistant', 'Yes we do.']);
  });

  it('the budget drops the oldest turns first', async () => {
    const callId = 'hist-3';
    // Each turn: a 10-character question and a 20-character answer; agent `tight` keeps 70 characters.
    for (const n of ['1', '2', '3']) {
      rig.answers.set(`${callId}/${n}`, `Answer ${n} is short ok.`.slice(0, 20));
      await rig.turn(callId, n, `Question ${n}`, 'tight');
      await rig.answered(callId, n);
    }
    rig.answers.set(`${callId}/4`, 'Answer 4 is short ok');
    await rig.turn(callId, '4', 'Question 4', 'tight');
    await rig.answered(callId, '4');
    expect(chat(rig.requestsFor(callId, '4')[0])).toEqual([
      ['system', 'You are a test agent.'],
      ['user', 'Question 2'],
      ['assistant', 'Answer 2 is short ok'],
      ['user', 'Question 3'],
      ['assistant', 'Answer 3 is short ok'],
      ['user', 'Question 4'],
    ]);
    // The stored list is bounded too (not only what is sent).
    expect((await rig.history(callId)).map((e) => e.turnId)).toEqual(['3', '3', '4', '4']);
  });
});
