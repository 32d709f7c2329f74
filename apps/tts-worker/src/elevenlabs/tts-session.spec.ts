import { splitText } from './testing/fake-elevenlabs.server';
import { TRAILING_AUDIO_WAIT_MS } from './elevenlabs.constants';
import { API_KEY, CALL_ID, VOICE_SETTINGS, advance, connected, settle, startHarness, waitFor, type Harness } from './testing/session-harness';
import { TtsConnectionState } from './tts-session.types';

/**
 * One call's socket against a fake ElevenLabs at the wire: exact packets out, audio attributed back.
 * (Drops, reconnects, idle and fallback: tts-session.resilience.spec.ts.)
 */
describe('ElevenLabsStreamSession: turns on one socket', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  const S0 = 'Hello there.';
  const S1 = 'How can I help you today?';
  const S2 = 'I can book a table.';

  it('streams a three-sentence turn on one context and attributes each chunk to its sentence', async () => {
    h = await startHarness({ autoAudio: false, finalOnClose: false });
    await connected(h);
    const sock = h.fake.last;
    expect(sock.headers['xi-api-key']).toBe(API_KEY);
    expect(sock.headers['x-call-id']).toBe(CALL_ID);
    expect(sock.url.pathname).toBe('/v1/text-to-speech/voice-1/multi-stream-input');
    expect(Object.fromEntries(sock.url.searchParams)).toEqual({
      model_id: 'eleven_flash_v2_5',
      output_format: 'ulaw_8000',
      inactivity_timeout: '180',
      auto_mode: 'true',
      sync_alignment: 'true',
    });

    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '1', seq: 1, text: S1, last: false });
    h.session.pushSentence({ turnId: '1', seq: 2, text: S2, last: true });
    await waitFor(() => sock.received.length === 4, 'opening + three sentences');
    expect(sock.received).toEqual([
      { text: ' ', context_id: '1', voice_settings: VOICE_SETTINGS },
      { text: `${S0} `, context_id: '1', flush: true },
      { text: `${S1} `, context_id: '1', flush: true },
      { text: `${S2} `, context_id: '1', flush: true },
    ]);

    // Audio of the first two sentences: the turn's text is complete, but the last sentence's audio has
    // not started, so the context must stay open (closing now is the silent-turn race).
    h.fake.sendAudio(sock, '1', `${S0} `, 2);
    h.fake.sendAudio(sock, '1', `${S1} `, 3);
    await waitFor(() => h.audio.length === 5, 'five chunks');
    await settle();
    expect(sock.received).toHaveLength(4);

    const [s2a, s2b] = splitText(`${S2} `, 2);
    h.fake.sendAudio(sock, '1', s2a, 1);
    await waitFor(() => sock.received.length === 5, 'close_context');
    expect(sock.received[4]).toEqual({ context_id: '1', close_context: true });
    expect(h.session.liveContexts()).toEqual([{ contextId: '1', turnId: '1', phase: 'closing' }]);

    h.fake.sendAudio(sock, '1', s2b, 1);
    await waitFor(() => h.audio.length === 7, 'last chunk');
    expect(h.sentenceEnds.map((e) => e.seq)).toEqual([0, 1]); // the final sentence ends at isFinal
    h.fake.sendFinal(sock, '1');
    await waitFor(() => h.turnEnds.length === 1, 'turnEnd');

    expect(h.spoken('1', 0)).toBe(`${S0} `);
    expect(h.spoken('1', 1)).toBe(`${S1} `);
    expect(h.spoken('1', 2)).toBe(`${S2} `);
    expect(h.audio.map((a) => [a.seq, a.chunk, a.text])).toEqual([
      [0, 0, S0],
      [0, 1, undefined],
      [1, 0, S1],
      [1, 1, undefined],
      [1, 2, undefined],
      [2, 0, S2],
      [2, 1, undefined],
    ]);
    expect(h.timeline).toEqual([
      'audio 1/0/0',
      'audio 1/0/1',
      'end 1/0',
      'audio 1/1/0',
      'audio 1/1/1',
      'audio 1/1/2',
      'end 1/1',
      'audio 1/2/0',
      'audio 1/2/1',
      'end 1/2',
      'turnEnd 1',
    ]);
    expect(h.sentenceEnds).toEqual([
      { callId: CALL_ID, turnId: '1', seq: 0, chunks: 2, last: false },
      { callId: CALL_ID, turnId: '1', seq: 1, chunks: 3, last: false },
      { callId: CALL_ID, turnId: '1', seq: 2, chunks: 2, last: true },
    ]);
    expect(h.audio.every((a) => a.callId === CALL_ID && a.receivedAt >= 1_700_000_000_000)).toBe(true);
    expect(h.session.liveContexts()).toEqual([]);
    expect(h.fake.violations).toEqual([]);

    const messages = h.logs.map((l) => l.message);
    expect(messages).toEqual(
      expect.arrayContaining(['TTS connection starting', 'TTS connection established', 'streaming sentence #2']),
    );
    expect(h.logs.find((l) => l.message === 'TTS connection established')?.fields.handshakeMs).toEqual(expect.any(Number));
    // Time to first byte per sentence is an event: the call's session logs the marker and feeds the histogram.
    expect(h.ttfb.map((t) => [t.turnId, t.seq, t.ttfbMs])).toEqual([
      ['1', 0, 0],
      ['1', 1, 0],
      ['1', 2, 0],
    ]);
    for (const l of h.logs) {
      expect(l.fields.callId).toBe(CALL_ID);
      expect(l.fields).toHaveProperty('turnId'); // null on lines before the call's first turn
    }
    expect(h.logs.filter((l) => /sentence #/.test(l.message)).every((l) => l.fields.turnId === '1')).toBe(true);
    expect(JSON.stringify(h.logs)).not.toContain(API_KEY);
  });

  it('barge-in closes the context at once, drops its late audio and keeps the socket', async () => {
    h = await startHarness({ autoAudio: false });
    await connected(h);
    const sock = h.fake.last;
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '1', seq: 1, text: S1, last: false });
    const [first, rest] = splitText(`${S0} `, 2);
    h.fake.sendAudio(sock, '1', first, 1);
    await waitFor(() => h.audio.length === 1, 'first chunk');

    h.session.cancelTurn('1');
    await waitFor(() => sock.received.length === 4, 'close_context');
    expect(sock.received[3]).toEqual({ context_id: '1', close_context: true });

    h.fake.sendAudio(sock, '1', rest, 1); // late audio of the cancelled turn
    h.fake.sendAudio(sock, '1', `${S1} `, 2);
    h.fake.sendFinal(sock, '1');
    await waitFor(() => h.session.liveContexts().length === 0, 'isFinal of the cancelled context');
    expect(h.audio).toHaveLength(1);
    expect(h.sentenceEnds).toEqual([]);
    expect(h.turnEnds).toEqual([]);

    h.session.pushSentence({ turnId: '1', seq: 2, text: 'Late sentence.', last: true }); // fenced
    h.session.pushSentence({ turnId: '2', seq: 0, text: 'Sure.', last: true });
    await waitFor(() => sock.received.length === 6, 'turn 2 on the same socket');
    expect(sock.received.slice(4)).toEqual([
      { text: ' ', context_id: '2', voice_settings: VOICE_SETTINGS },
      { text: 'Sure. ', context_id: '2', flush: true },
    ]);
    expect(h.fake.sockets).toHaveLength(1);
    expect(sock.closed).toBeUndefined();
    expect(h.session.connectionState).toBe(TtsConnectionState.Open);
  });

  it("a newer turn's first sentence closes the older turn's open context first", async () => {
    h = await startHarness({ autoAudio: true });
    await connected(h);
    const sock = h.fake.last;
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    await waitFor(() => h.audio.length === 2, 'audio of sentence 0 of turn 1');
    expect(h.sentenceEnds).toEqual([]); // its trailing audio may still come
    await advance(h.clock, TRAILING_AUDIO_WAIT_MS, 100);
    await waitFor(() => h.sentenceEnds.length === 1, 'sentence 0 of turn 1');
    expect(h.session.liveContexts()).toEqual([{ contextId: '1', turnId: '1', phase: 'open' }]);

    h.session.pushSentence({ turnId: '2', seq: 0, text: S1, last: true });
    await waitFor(() => h.turnEnds.length === 2, 'both turns end');
    expect(sock.received.slice(2, 5)).toEqual([
      { context_id: '1', close_context: true },
      { text: ' ', context_id: '2', voice_settings: VOICE_SETTINGS },
      { text: `${S1} `, context_id: '2', flush: true },
    ]);
    expect(h.turnEnds.map((t) => t.turnId)).toEqual(['1', '2']);
    expect(h.spoken('2', 0)).toBe(`${S1} `);
    expect(h.session.liveContexts()).toEqual([]);

    // Even when the older turn's audio has not started yet: it is superseded, its context closes first.
    h.fake.options.autoAudio = false;
    h.session.pushSentence({ turnId: '3', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '4', seq: 0, text: S2, last: false });
    await waitFor(() => sock.received.length === 11, 'turn 4 opened');
    expect(sock.received.slice(-5)).toEqual([
      { text: ' ', context_id: '3', voice_settings: VOICE_SETTINGS },
      { text: `${S0} `, context_id: '3', flush: true },
      { context_id: '3', close_context: true },
      { text: ' ', context_id: '4', voice_settings: VOICE_SETTINGS },
      { text: `${S2} `, context_id: '4', flush: true },
    ]);
    h.session.pushSentence({ turnId: '3', seq: 1, text: 'Too late.', last: true }); // superseded: dropped
    await settle();
    expect(sock.received).toHaveLength(11);
  });

  it.each(['camel', 'snake'] as const)('accepts the %s spelling of contextId and isFinal', async (spelling) => {
    h = await startHarness({ autoAudio: true, spelling });
    await connected(h);
    h.session.pushSentence({ turnId: '7', seq: 0, text: S0, last: false });
    h.session.pushSentence({ turnId: '7', seq: 1, text: S1, last: true });
    await waitFor(() => h.turnEnds.length === 1, 'turnEnd');
    expect(h.spoken('7', 0)).toBe(`${S0} `);
    expect(h.spoken('7', 1)).toBe(`${S1} `);
    expect(h.sentenceEnds.map((e) => [e.seq, e.chunks, e.last])).toEqual([
      [0, 2, false],
      [1, 2, true],
    ]);
    expect(h.session.liveContexts()).toEqual([]);
  });

  it('never holds more than five contexts over many turns and barge-ins, and none after hangup', async () => {
    h = await startHarness({ autoAudio: false, finalOnClose: true });
    await connected(h);
    const sock = h.fake.last;
    let maxLive = 0;
    for (let turn = 1; turn <= 30; turn++) {
      const turnId = String(turn);
      h.session.pushSentence({ turnId, seq: 0, text: S0, last: false });
      h.fake.sendAudio(sock, turnId, splitText(`${S0} `, 2)[0], 1);
      if (turn % 3 === 0) h.session.cancelTurn(turnId);
      else h.session.endTurn(turnId);
      maxLive = Math.max(maxLive, h.session.liveContexts().length);
      await settle();
      maxLive = Math.max(maxLive, h.session.liveContexts().length);
    }
    expect(maxLive).toBeLessThanOrEqual(5);
    expect(sock.maxLive).toBeLessThanOrEqual(5);
    expect(h.session.liveContexts()).toEqual([]);

    h.session.pushSentence({ turnId: '31', seq: 0, text: S0, last: false });
    await waitFor(() => h.session.liveContexts().length === 1, 'turn 31 open');
    await h.session.close();
    await waitFor(() => !!sock.closed, 'socket closed');
    expect(sock.received.slice(-2)).toEqual([{ context_id: '31', close_context: true }, { close_socket: true }]);
    expect(sock.closed).toMatchObject({ code: 1000 });
    expect(h.session.liveContexts()).toEqual([]);
    expect(h.fake.violations).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it('replaces the socket instead of opening a sixth context when closes are never confirmed', async () => {
    h = await startHarness({ autoAudio: false, finalOnClose: false });
    await connected(h);
    for (let turn = 1; turn <= 12; turn++) {
      const turnId = String(turn);
      h.session.pushSentence({ turnId, seq: 0, text: S0, last: false });
      await waitFor(() => h.session.liveContexts().some((c) => c.turnId === turnId), `turn ${turnId} open`);
      h.session.cancelTurn(turnId);
      expect(h.session.liveContexts().length).toBeLessThanOrEqual(5);
    }
    await settle();
    expect(h.fake.violations).toEqual([]);
    expect(h.fake.sockets.length).toBeGreaterThan(1);
    expect(h.fake.sockets.every((s) => s.maxLive <= 5)).toBe(true);
    expect(h.fake.sockets[0].received.slice(-1)).toEqual([{ close_socket: true }]);
    expect(h.errors).toEqual([]);
    expect(h.session.connectionState).toBe(TtsConnectionState.Open);
  });

  it('endTurn without a last flag closes once the audio started; a turn with no text ends at once', async () => {
    h = await startHarness({ autoAudio: false, finalOnClose: false });
    await connected(h);
    const sock = h.fake.last;
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: false });
    h.session.endTurn('1');
    await waitFor(() => sock.received.length === 2, 'sentence sent');
    await settle();
    expect(sock.received).toHaveLength(2); // no audio yet: no close
    h.fake.sendAudio(sock, '1', `${S0} `, 2);
    await waitFor(() => sock.received.length === 3, 'close_context');
    expect(sock.received[2]).toEqual({ context_id: '1', close_context: true });
    h.fake.sendFinal(sock, '1');
    await waitFor(() => h.turnEnds.length === 1, 'turnEnd');
    expect(h.sentenceEnds).toEqual([{ callId: CALL_ID, turnId: '1', seq: 0, chunks: 2, last: true }]);

    h.session.endTurn('2');
    expect(h.turnEnds.map((t) => t.turnId)).toEqual(['1', '2']);
    await settle();
    expect(sock.received).toHaveLength(3);
  });

  it('close() sends close_socket and frees every timer', async () => {
    h = await startHarness({ autoAudio: false });
    await connected(h);
    h.session.pushSentence({ turnId: '1', seq: 0, text: S0, last: true }); // arms the no-audio timer
    await waitFor(() => h.fake.last.received.length === 2, 'sentence sent');
    await h.session.close();
    await waitFor(() => !!h.fake.last.closed, 'socket closed');
    expect(h.clock.pendingTimers()).toBe(0);
    expect(h.session.connectionState).toBe(TtsConnectionState.Closed);
    expect(h.logs.map((l) => l.message)).toContain('TTS session closed');
    h.session.pushSentence({ turnId: '2', seq: 0, text: S1, last: true });
    await settle();
    expect(h.fake.sockets).toHaveLength(1);
  });
});
