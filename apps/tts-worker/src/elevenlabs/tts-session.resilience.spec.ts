import { IDLE_REASON, splitText } from './testing/fake-elevenlabs.server';
import { VOICE_SETTINGS, advance, connected, duplicateChunks, settle, startHarness, waitFor, type Harness } from './testing/session-harness';
import { TtsConnectionState } from './tts-session.types';

/** Long silences, drops, reconnects, and giving up, against the fake service and a FakeClock. */
describe('ElevenLabsStreamSession: resilience', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  const S0 = 'Hello there.';
  const S1 = 'How can I help you today?';
  const S2 = 'I can book a table.';
  const isKeepalive = (m: Record<string, unknown>) => m.text === '' && m.close_context === undefined;

  it('survives a 10-minute call with long silences: no idle close, keepalives only for open contexts', async () => {
    h = await startHarness({ autoAudio: true });
    await connected(h);

    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '1', seq: 1, text: S1, last: true });
    await waitFor(() => h.turnEnds.length === 1, 'turn 1');
    await advance(h.clock, 240_000); // the caller thinks for four minutes: no context is open

    h.session.pushSentence({ turnId: '2', seq: 0, text: S0, last: false });
    await advance(h.clock, 45_000); // the answer stalls 45 s mid-turn: its context is open and silent
    const turn2Socket = h.fake.last;
    const keepalivesInStall = turn2Socket.received.filter(isKeepalive);
    h.session.pushSentence({ turnId: '2', seq: 1, text: S1, last: true });
    await waitFor(() => h.turnEnds.length === 2, 'turn 2');
    await advance(h.clock, 300_000); // five more minutes of silence

    const socketsBefore = h.fake.sockets.length;
    expect(h.session.connectionState).toBe(TtsConnectionState.Open); // the sentence will not wait for a handshake
    h.session.pushSentence({ turnId: '3', seq: 0, text: S2, last: true });
    await waitFor(() => h.turnEnds.length === 3, 'turn 3');
    expect(h.fake.sockets).toHaveLength(socketsBefore);
    expect(h.clock.now()).toBeGreaterThanOrEqual(585_000);

    expect(h.fake.sockets.filter((s) => s.closed?.by === 'server' && s.closed.code === 1008)).toEqual([]);
    expect(h.fake.violations).toEqual([]);
    expect(h.errors).toEqual([]);
    expect(h.states.map((s) => s.to)).toEqual(['connecting', 'open']);
    // At 10-15 s of silence each: at least three in 45 s, all for the open context of turn 2.
    expect(keepalivesInStall.length).toBeGreaterThanOrEqual(3);
    const allKeepalives = h.fake.sockets.flatMap((s) => s.received.filter(isKeepalive));
    expect(allKeepalives).toEqual(allKeepalives.map(() => ({ text: '', context_id: '2' })));
    // Idle sockets were replaced before the service's 180 s, make-before-break, with close_socket.
    expect(h.fake.sockets.length).toBeGreaterThanOrEqual(3);
    const replaced = h.fake.sockets.slice(0, -1);
    expect(replaced.every((s) => s.received[s.received.length - 1]?.close_socket === true)).toBe(true);
    expect(h.spoken('3', 0)).toBe(`${S2} `);
  });

  it('a drop mid-sentence (1006) reconnects with backoff and re-sends only the unfinished sentences', async () => {
    h = await startHarness({ autoAudio: false }, { backoff: { initialDelayMs: 400 } });
    await connected(h);
    const first = h.fake.last;
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '1', seq: 1, text: S1, last: false });
    h.session.pushSentence({ turnId: '1', seq: 2, text: S2, last: true });
    h.fake.sendAudio(first, '1', `${S0} `, 2);
    h.fake.sendAudio(first, '1', splitText(`${S1} `, 2)[0], 1); // half of sentence 1, then the line drops
    await waitFor(() => h.audio.length === 3, 'three chunks');
    h.fake.close(first, 1006, '');

    await waitFor(() => h.errors.length === 1, 'drop reported');
    expect(h.errors[0]).toMatchObject({ category: 'network', retryable: true, code: 1006 });
    expect(h.session.connectionState).toBe(TtsConnectionState.Reconnecting);
    await advance(h.clock, 399, 100);
    expect(h.fake.sockets).toHaveLength(1); // still backing off
    await advance(h.clock, 1, 1);
    await waitFor(() => h.fake.sockets.length === 2 && h.fake.last.received.length === 3, 're-sent on a new socket');

    const second = h.fake.last;
    expect(second.received).toEqual([
      { text: ' ', context_id: '1', voice_settings: VOICE_SETTINGS },
      { text: `${S1} `, context_id: '1', flush: true },
      { text: `${S2} `, context_id: '1', flush: true },
    ]);
    h.fake.sendAudio(second, '1', `${S1} `, 2); // regenerated from the start: its first chunk was already emitted
    h.fake.sendAudio(second, '1', `${S2} `, 2);
    h.fake.sendFinal(second, '1');
    await waitFor(() => h.turnEnds.length === 1, 'turnEnd');

    expect(duplicateChunks(h.audio)).toEqual([]);
    expect(h.spoken('1', 0)).toBe(`${S0} `);
    expect(h.spoken('1', 1)).toBe(`${S1} `);
    expect(h.spoken('1', 2)).toBe(`${S2} `);
    expect(h.audio.filter((a) => a.seq === 1).map((a) => a.chunk)).toEqual([0, 1]);
    expect(h.sentenceEnds.map((e) => [e.seq, e.chunks])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    expect(h.states.map((s) => s.to)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    await waitFor(() => second.received.length === 4, 'close_context on the new socket');
    expect(second.received[3]).toEqual({ context_id: '1', close_context: true });
  });

  it('a 1008 idle timeout reconnects at once without an error; a 1008 failure is reported as one', async () => {
    h = await startHarness({ autoAudio: true });
    await connected(h);
    await advance(h.clock, 6_000);
    h.fake.close(h.fake.last, 1008, IDLE_REASON, { message: `${IDLE_REASON} of 20 seconds`, error: 'input_timeout_exceeded', code: 1008 });
    await waitFor(() => h.fake.sockets.length === 2 && h.session.connectionState === TtsConnectionState.Open, 'reconnected');
    expect(h.errors).toEqual([]);
    expect(h.states.map((s) => s.to)).toEqual(['connecting', 'open', 'reconnecting', 'open']);

    await advance(h.clock, 6_000);
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    await waitFor(() => h.audio.length === 2, 'audio');
    h.fake.close(h.fake.last, 1008, 'quota_exceeded', {
      message: 'This request exceeds your quota of 10000.',
      error: 'quota_exceeded',
      code: 1008,
    });
    await waitFor(() => h.session.connectionState === TtsConnectionState.Failed, 'failed');
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ category: 'quota', retryable: false, code: 1008 });
    await advance(h.clock, 10_000);
    expect(h.fake.sockets).toHaveLength(2); // not retried
    expect(h.fallbacks).toEqual([]); // sentence 0 was fully spoken: nothing to hand over
    h.session.pushSentence({ turnId: '1', seq: 1, text: S1, last: true });
    expect(h.fallbacks).toMatchObject([{ turnId: '1', turnComplete: true, pending: [{ seq: 1, text: S1 }] }]);
  });

  it('refused connects end in `failed` and a fallback with exactly the pending sentences', async () => {
    h = await startHarness({ refuseUpgrades: 100 }, { maxConsecutiveFailures: 3 });
    const settled = h.session.connect();
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '1', seq: 1, text: S1, last: false });
    await waitFor(() => h.errors.length === 1, 'first refusal');
    expect(h.errors[0]).toMatchObject({ category: 'server', retryable: true, code: 503 });
    await advance(h.clock, 250, 50);
    await waitFor(() => h.errors.length === 2, 'second refusal');
    await advance(h.clock, 500, 50);
    await waitFor(() => h.fallbacks.length === 1, 'fallback');

    expect(await settled).toBe(TtsConnectionState.Failed);
    expect(h.fake.refused).toBe(3);
    expect(h.fallbacks[0]).toMatchObject({
      turnId: '1',
      turnComplete: false,
      pending: [
        { seq: 0, text: S0, last: false, chunksEmitted: 0, bytesEmitted: 0 },
        { seq: 1, text: S1, last: false, chunksEmitted: 0, bytesEmitted: 0 },
      ],
    });
    h.session.pushSentence({ turnId: '1', seq: 2, text: S2, last: true });
    expect(h.fallbacks[1]).toMatchObject({ turnId: '1', turnComplete: true, pending: [{ seq: 2, text: S2, last: true }] });
    expect(h.audio).toEqual([]);
  });

  it('after a drop and failed reconnects, the fallback carries the half-spoken sentence with its chunk count', async () => {
    h = await startHarness({ autoAudio: false, finalOnClose: false }, { maxConsecutiveFailures: 2 });
    await connected(h);
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '1', seq: 1, text: S1, last: true });
    h.fake.sendAudio(h.fake.last, '1', `${S0} `, 2);
    h.fake.sendAudio(h.fake.last, '1', splitText(`${S1} `, 3)[0], 1);
    await waitFor(() => h.audio.length === 3, 'audio');
    h.fake.options.refuseUpgrades = 10;
    h.fake.close(h.fake.last, 1011, 'internal error');
    await waitFor(() => h.errors.length === 1, 'drop');
    await advance(h.clock, 250, 50);
    await waitFor(() => h.fallbacks.length === 1, 'fallback');
    const chunk = h.audio[2].audio.length;
    expect(h.fallbacks[0].pending).toEqual([{ seq: 1, text: S1, last: true, chunksEmitted: 1, bytesEmitted: chunk }]);
    expect(h.sentenceEnds.map((e) => e.seq)).toEqual([0]);
  });

  it('a context that sends no audio is reported and its text re-sent once in a new context', async () => {
    h = await startHarness({ autoAudio: false, finalOnClose: false });
    await connected(h);
    const sock = h.fake.last;
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: true });
    await waitFor(() => sock.received.length === 2, 'sent');
    await advance(h.clock, 2_999, 500);
    expect(h.errors).toEqual([]);
    await advance(h.clock, 1, 1);
    await waitFor(() => sock.received.length === 5, 're-sent');
    expect(h.errors[0]).toMatchObject({ category: 'no_audio', details: { turnId: '1', contextId: '1' } });
    expect(sock.received.slice(2)).toEqual([
      { context_id: '1', close_context: true },
      { text: ' ', context_id: '1_r1', voice_settings: VOICE_SETTINGS },
      { text: `${S0} `, context_id: '1_r1', flush: true },
    ]);
    h.fake.sendAudio(sock, '1', `${S0} `, 2); // the stuck context wakes up late: dropped
    h.fake.sendAudio(sock, '1_r1', `${S0} `, 2);
    h.fake.sendFinal(sock, '1');
    h.fake.sendFinal(sock, '1_r1');
    await waitFor(() => h.turnEnds.length === 1, 'turnEnd');
    expect(h.spoken('1', 0)).toBe(`${S0} `);
    expect(duplicateChunks(h.audio)).toEqual([]);
    await waitFor(() => sock.received.length === 6, 'close of the retry context');
    expect(sock.received[5]).toEqual({ context_id: '1_r1', close_context: true });
    expect(h.session.liveContexts()).toEqual([]);
  });

  it('a context silent even after its re-send fails the socket: reconnect and re-send on a new one', async () => {
    h = await startHarness({ autoAudio: false, finalOnClose: false });
    await connected(h);
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: true });
    await waitFor(() => h.fake.last.received.length === 2, 'sent');
    await advance(h.clock, 3_000, 500);
    await waitFor(() => h.fake.last.received.length === 5, 're-sent once');
    await advance(h.clock, 3_000, 500);
    await waitFor(() => h.session.connectionState === TtsConnectionState.Reconnecting, 'socket failed');
    expect(h.errors.map((e) => e.category)).toEqual(['no_audio', 'no_audio']); // reported once each, not twice
    await advance(h.clock, 250, 50);
    await waitFor(() => h.fake.sockets.length === 2 && h.fake.last.received.length === 2, 'new socket');
    expect(h.fake.last.received).toEqual([
      { text: ' ', context_id: '1', voice_settings: VOICE_SETTINGS },
      { text: `${S0} `, context_id: '1', flush: true },
    ]);
    h.fake.sendAudio(h.fake.last, '1', `${S0} `, 2);
    await waitFor(() => h.audio.length === 2, 'audio');
    expect(h.spoken('1', 0)).toBe(`${S0} `);
  });

  it('a handshake that never completes times out on the clock and is retried', async () => {
    let attempts = 0;
    h = await startHarness(
      {},
      {
        connectTimeoutMs: 1_000,
        createSocket: () => {
          attempts++;
          return { send: () => undefined, close: () => undefined, terminate: () => undefined, isOpen: false };
        },
      },
    );
    void h.session.connect();
    await advance(h.clock, 999, 333);
    expect(h.errors).toEqual([]);
    await advance(h.clock, 1, 1);
    expect(h.errors[0]).toMatchObject({ category: 'timeout', retryable: true, code: 'connect_timeout' });
    expect(h.session.connectionState).toBe(TtsConnectionState.Reconnecting);
    await advance(h.clock, 250, 50);
    expect(attempts).toBe(2);
  });
});
