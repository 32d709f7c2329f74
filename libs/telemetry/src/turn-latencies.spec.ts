import { message } from '@app/contracts';
import { turnLatencies } from './turn-latencies';

const T0 = 1_700_000_000_000;

describe('turnLatencies', () => {
  it('splits first audio into the providers’ share and our overhead', () => {
    const metrics = message('turn.metrics', {
      callId: 'c',
      turnId: '2',
      finalAt: T0,
      turnPublishedAt: T0 + 2,
      llmFirstTokenAt: T0 + 300,
      firstSentenceAt: T0 + 340,
      ttsTextSentAt: T0 + 345,
      ttsFirstByteAt: T0 + 545,
      firstFrameSentAt: T0 + 560,
      firstHeardAt: T0 + 600,
      at: T0 + 700,
    });
    // LLM 338 + TTS 200 = 538 of 600: 62 ms were ours.
    expect(turnLatencies(metrics)).toEqual({ firstAudioMs: 600, providerMs: 538, overheadMs: 62 });
  });

  it('leaves out what needs a stage the turn did not reach', () => {
    const cancelled = message('turn.metrics', { callId: 'c', turnId: '3', finalAt: T0, turnPublishedAt: T0 + 1, firstSentenceAt: T0 + 300, cancelled: true, at: T0 + 400 });
    expect(turnLatencies(cancelled)).toEqual({ firstAudioMs: undefined, providerMs: undefined, overheadMs: undefined });
  });
});
