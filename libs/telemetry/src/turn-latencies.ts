import type { TurnMetricsMessage } from '@app/contracts';

/**
 * A finished turn's headline numbers, from its `turn.metrics` entry (for the histograms and the
 * FIRST AUDIO marker). Split as the sandbox's call report splits what the caller experienced:
 *   firstAudioMs = first heard − final transcript
 *   providerMs   = LLM (turn published → first sentence complete) + TTS (text sent → first byte)
 *   overheadMs   = firstAudioMs − providerMs: hops, queues, segmentation, pacing — ours to shrink
 * The LLM share starts at `turnPublishedAt` (there is no request mark), so the llm-worker's pick-up of
 * the turn (one stream hop) counts as provider time. Absent when a stage it needs was not reached.
 */
export interface TurnLatencies {
  firstAudioMs?: number;
  providerMs?: number;
  overheadMs?: number;
}

const between = (from: number | undefined, to: number | undefined): number | undefined =>
  from === undefined || to === undefined ? undefined : to - from;

export function turnLatencies(metrics: TurnMetricsMessage): TurnLatencies {
  const firstAudioMs = between(metrics.finalAt, metrics.firstHeardAt);
  const llmMs = between(metrics.turnPublishedAt, metrics.firstSentenceAt);
  const ttsMs = between(metrics.ttsTextSentAt, metrics.ttsFirstByteAt);
  const providerMs = llmMs === undefined || ttsMs === undefined ? undefined : llmMs + ttsMs;
  const overheadMs = firstAudioMs === undefined || providerMs === undefined ? undefined : firstAudioMs - providerMs;
  return { firstAudioMs, providerMs, overheadMs };
}
