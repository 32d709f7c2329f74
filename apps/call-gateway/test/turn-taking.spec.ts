import { CONTROL_STREAM, TURNS_STREAM, TurnCancelMessage, TurnMessage, callKey } from '@app/contracts';
import { GatewayHarness, settle, waitUntil } from './gateway.harness';
import { MAIN_NUMBER, TEST_AGENTS } from './test-agents.harness';

/**
 * Who speaks when, with the agent's settings (barge-in at 2 words): a final before the agent's first
 * audio merges with the previous one; the caller talking over the agent cancels its turn once, in every
 * stage; short backchannels do not interrupt. Playback reports come as the playback-worker sends them.
 */
describe('turn taking', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await GatewayHarness.start({ agents: TEST_AGENTS });
  });

  afterAll(() => h?.stop());

  const state = (callId: string) => h.client.hget(callKey(callId), 'state');
  const turns = async (callId: string) => (await h.messages(TURNS_STREAM, callId)) as TurnMessage[];
  const cancels = async (callId: string) =>
    ((await h.messages(CONTROL_STREAM, callId)) as TurnCancelMessage[]).filter((m) => m.type === 'turn.cancel').map((m) => `${m.turnId} ${m.reason}`);
  const waitForTurns = (callId: string, count: number) => waitUntil(async () => ((await turns(callId)).length === count ? turns(callId) : undefined), `${count} user turns`);

  /** The agent's turn is heard to its end, each report handled before the test goes on. */
  async function heard(callId: string, turnId: string): Promise<void> {
    await h.playback('playback.started', callId, turnId);
    await waitUntil(async () => (await state(callId)) === 'speaking', 'speaking');
    await h.playback('playback.finished', callId, turnId);
    await waitUntil(async () => (await state(callId)) === 'listening', 'listening');
  }

  /** An answered call whose greeting (turn 1) has been heard: the caller's turn. */
  async function listeningCall(): Promise<string> {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    await heard(callId, '1');
    return callId;
  }

  it('merges a final that arrives before the first audio of the turn it started, cancelling that turn once', async () => {
    const callId = await listeningCall();
    await h.transcript(callId, 'I would like to book', true);
    await waitForTurns(callId, 1);
    await h.transcript(callId, 'a table for two', true);
    const [first, merged] = await waitForTurns(callId, 2);

    expect(first).toMatchObject({ turnId: '2', text: 'I would like to book', agentId: 'main' });
    expect(merged).toMatchObject({ turnId: '3', text: 'I would like to book a table for two' });
    expect(await cancels(callId)).toEqual(['2 merge']);
    expect(await h.client.hget(callKey(callId), 'turnId')).toBe('3');

    // Once the answer is being heard, the next final is a turn of its own, not a merge.
    await heard(callId, '3');
    await h.transcript(callId, 'thanks', true);
    const all = await waitForTurns(callId, 3);
    expect(all[2]).toMatchObject({ turnId: '4', text: 'thanks' });
    expect(await cancels(callId)).toEqual(['2 merge']);
  });

  it('cancels the speaking turn once on barge-in (interim with the minimum words), then takes the caller turn', async () => {
    const callId = await listeningCall();
    await h.transcript(callId, 'what are your opening hours', true);
    await waitForTurns(callId, 1);
    await h.playback('playback.started', callId, '2');
    await waitUntil(async () => (await state(callId)) === 'speaking', 'speaking');

    await h.transcript(callId, 'wait', false);
    await settle(150);
    expect(await cancels(callId)).toEqual([]);
    await h.transcript(callId, 'wait a', false);
    await waitUntil(async () => (await cancels(callId)).length === 1, 'the barge-in');
    await h.transcript(callId, 'wait a second', false);
    await h.transcript(callId, 'wait a second please', true);
    const [, caller] = await waitForTurns(callId, 2);
    // Regression. Symptom: after a barge-in the call went back to "speaking" (and ignored the caller's next
    // interims). Cause: the cancelled turn stayed current until the caller's final, and its late
    // playback.started was taken at face value. Fix: reports of a barged turn are ignored.
    await h.playback('playback.started', callId, '2');
    await settle(150);

    expect(caller).toMatchObject({ turnId: '3', text: 'wait a second please' });
    expect(await cancels(callId)).toEqual(['2 barge-in']);
    expect(await state(callId)).toBe('listening');
    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answering', 'answered', 'speaking', 'listening', 'speaking', 'listening']);
  });

  it('lets the caller interrupt the greeting before its audio has started', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    await h.transcript(callId, 'hi there I need help', false);
    await waitUntil(async () => (await h.lifecycle(callId)).at(-1) === 'listening', 'the barge-in');
    expect(await cancels(callId)).toEqual(['1 barge-in']);
    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answering', 'answered', 'listening']);
  });

  it('ignores backchannels below the minimum words while the agent speaks', async () => {
    // Regression. Symptom: an "okay" said while the agent spoke cut the agent off. Cause: a final
    // transcript barged in whatever its length. Fix: finals, like interims, need the agent's minWords.
    const callId = await listeningCall();
    await h.transcript(callId, 'tell me about parking', true);
    await waitForTurns(callId, 1);
    await h.playback('playback.started', callId, '2');
    await waitUntil(async () => (await state(callId)) === 'speaking', 'speaking');
    await h.transcript(callId, 'okay', false);
    await h.transcript(callId, 'okay', true);
    await settle(200);
    expect(await cancels(callId)).toEqual([]);
    expect(await turns(callId)).toHaveLength(1);
    expect(await state(callId)).toBe('speaking');
  });
});
