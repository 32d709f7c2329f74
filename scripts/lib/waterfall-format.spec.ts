import { message } from '@app/contracts';
import { formatCallWaterfall, stageBar } from './waterfall-format';
import { buildCallWaterfall, buildTurnWaterfall } from './waterfall-model';

/** 2023-11-14T22:13:20.000Z */
const T0 = 1_700_000_000_000;

const lifecycle = [
  message('call.lifecycle', { callId: 'call-7', state: 'initiated', agentId: 'front-desk', at: T0 }),
  message('call.lifecycle', { callId: 'call-7', state: 'answered', agentId: 'front-desk', at: T0 + 350 }),
  message('call.lifecycle', { callId: 'call-7', state: 'ended', agentId: 'front-desk', detail: 'hangup', at: T0 + 62_100 }),
];

/** A complete turn: 800 ms from final transcript to first heard, 20 ms per bar character. */
const completeTurn = message('turn.metrics', {
  callId: 'call-7',
  turnId: '2',
  finalAt: T0 + 10_000,
  turnPublishedAt: T0 + 10_002.04,
  llmFirstTokenAt: T0 + 10_300,
  firstSentenceAt: T0 + 10_340,
  ttsTextSentAt: T0 + 10_341,
  ttsFirstByteAt: T0 + 10_700,
  firstFrameSentAt: T0 + 10_760,
  firstHeardAt: T0 + 10_800,
  at: T0 + 12_000,
});

/** Barged in before any audio: the TTS and playback stages were never reached. */
const cancelledTurn = message('turn.metrics', {
  callId: 'call-7',
  turnId: '3',
  finalAt: T0 + 20_000,
  turnPublishedAt: T0 + 20_001,
  llmFirstTokenAt: T0 + 20_400,
  cancelled: true,
  at: T0 + 20_500,
});

describe('waterfall formatting', () => {
  it('prints the lifecycle and each turn as a waterfall, missing stages shown as not reached', () => {
    const call = buildCallWaterfall('call-7', lifecycle, [
      { metrics: cancelledTurn },
      { metrics: completeTurn, gapsMs: [12, 30.46] },
    ]);
    expect(formatCallWaterfall(call)).toBe(
      [
        'Call call-7 (agent front-desk): 2 turns with metrics',
        'lifecycle: initiated 2023-11-14T22:13:20.000Z · answered +350.0 ms · ended +62.1 s (hangup)',
        '',
        'Turn 2: 800.0 ms from final transcript to first heard',
        '  final transcript        0.0 ms  │',
        '  turn published         +2.0 ms  │█',
        '  LLM first token      +298.0 ms  │███████████████',
        '  first sentence        +40.0 ms  │               ██',
        '  TTS text sent          +1.0 ms  │                 █',
        '  TTS first byte       +359.0 ms  │                 ██████████████████',
        '  first frame sent      +60.0 ms  │                                   ███',
        '  first heard           +40.0 ms  │                                      ██',
        '  total                 800.0 ms',
        '  gaps between sentences: 12.0 ms, 30.5 ms',
        '',
        'Turn 3 (cancelled): 400.0 ms from final transcript to LLM first token',
        '  final transcript        0.0 ms  │',
        '  turn published         +1.0 ms  │█',
        '  LLM first token      +399.0 ms  │████████████████████████████████████████',
        '  first sentence               —  │ not reached',
        '  TTS text sent                —  │ not reached',
        '  TTS first byte               —  │ not reached',
        '  first frame sent             —  │ not reached',
        '  first heard                  —  │ not reached',
        '  total                 400.0 ms',
      ].join('\n'),
    );
  });

  it('measures a turn without a final transcript (a greeting) from its first reached stage', () => {
    const greeting = message('turn.metrics', { callId: 'call-7', turnId: '1', ttsTextSentAt: T0 + 5, ttsFirstByteAt: T0 + 205, firstHeardAt: T0 + 265, at: T0 + 300 });
    const turn = buildTurnWaterfall({ metrics: greeting });
    expect([turn.totalMs, turn.from, turn.to, turn.cancelled]).toEqual([260, 'TTS text sent', 'first heard', false]);
    expect(turn.stages.filter((s) => s.reached).map((s) => [s.mark, s.offsetMs, s.shareMs])).toEqual([
      ['ttsTextSentAt', 0, 0],
      ['ttsFirstByteAt', 200, 200],
      ['firstHeardAt', 260, 60],
    ]);
  });

  it('says so when a call has no turn metrics, or a turn no stage, or the lifecycle is missing', () => {
    expect(formatCallWaterfall(buildCallWaterfall('call-8', lifecycle.slice(0, 1), []))).toBe(
      [
        'Call call-8 (agent front-desk): 0 turns with metrics',
        'lifecycle: initiated 2023-11-14T22:13:20.000Z',
        '',
        'no turn.metrics entries for this call (no turn finished yet, or trimmed)',
      ].join('\n'),
    );
    const empty = message('turn.metrics', { callId: 'call-9', turnId: '4', at: T0 });
    expect(formatCallWaterfall(buildCallWaterfall('call-9', [], [{ metrics: empty }]))).toBe(
      [
        'Call call-9: 1 turn with metrics',
        'lifecycle: not found (never recorded, or trimmed from the stream)',
        '',
        'Turn 4: no stage recorded',
      ].join('\n'),
    );
  });

  it('keeps the bars inside the width: a tiny last share still shows one character at the end', () => {
    const stage = { mark: 'firstHeardAt' as const, label: 'first heard', reached: true, offsetMs: 1000, shareMs: 0.2 };
    expect(stageBar(stage, 1000, 10)).toBe('         █');
    expect(stageBar({ ...stage, shareMs: 0 }, 1000, 10)).toBe('          ');
  });
});
