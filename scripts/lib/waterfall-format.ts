import type { CallWaterfall, LifecycleStep, StageRow, TurnWaterfall } from './waterfall-model';

/**
 * The terminal rendering of `npm run inspect`: pure functions from the model to text.
 *
 * Row layout: 2 spaces + label (LABEL_WIDTH) + value (VALUE_WIDTH) + 2 spaces + axis + bar. With a
 * 40-character bar a row is 2 + 18 + 12 + 2 + 1 + 40 = 75 characters: it fits an 80-column terminal.
 */
export const BAR_WIDTH_CHARS = 40;
const LABEL_WIDTH = 18;
const VALUE_WIDTH = 12;
const BAR_CHAR = '█';
const AXIS = '│';
/** Lifecycle offsets switch from ms to seconds past this: a call lasts minutes, its states are ms apart early on. */
const SECONDS_FROM_MS = 10_000;

export const formatMs = (ms: number): string => `${ms.toFixed(1)} ms`;

function formatOffset(ms: number): string {
  return ms >= SECONDS_FROM_MS ? `+${(ms / 1000).toFixed(1)} s` : `+${formatMs(ms)}`;
}

/**
 * The stage's bar, placed where the stage's share lies on the turn's time axis (a waterfall). Edges are
 * rounded from the cumulative offsets so the bars of a turn tile the full width; a share too small for a
 * character still gets one, so that no reached stage with time in it looks free.
 */
export function stageBar(stage: StageRow, totalMs: number, width = BAR_WIDTH_CHARS): string {
  if (!stage.reached || totalMs <= 0) return '';
  const share = stage.shareMs!;
  const start = Math.max(0, Math.round(((stage.offsetMs! - share) / totalMs) * width));
  const end = Math.round((stage.offsetMs! / totalMs) * width);
  const length = Math.max(end - start, share > 0 ? 1 : 0);
  return ' '.repeat(Math.min(start, width - length)) + BAR_CHAR.repeat(length);
}

function stageLine(stage: StageRow, totalMs: number): string {
  const label = `  ${stage.label.padEnd(LABEL_WIDTH)}`;
  if (!stage.reached) return `${label}${'—'.padStart(VALUE_WIDTH)}  ${AXIS} not reached`;
  const value = stage.offsetMs === 0 ? formatMs(0) : `+${formatMs(stage.shareMs!)}`;
  return `${label}${value.padStart(VALUE_WIDTH)}  ${AXIS}${stageBar(stage, totalMs)}`;
}

export function formatTurn(turn: TurnWaterfall): string[] {
  const title = `Turn ${turn.turnId}${turn.cancelled ? ' (cancelled)' : ''}`;
  if (turn.totalMs === undefined) return [`${title}: no stage recorded`];
  const lines = [`${title}: ${formatMs(turn.totalMs)} from ${turn.from} to ${turn.to}`];
  for (const stage of turn.stages) lines.push(stageLine(stage, turn.totalMs));
  lines.push(`  ${'total'.padEnd(LABEL_WIDTH)}${formatMs(turn.totalMs).padStart(VALUE_WIDTH)}`);
  if (turn.gapsMs.length > 0) lines.push(`  gaps between sentences: ${turn.gapsMs.map(formatMs).join(', ')}`);
  return lines;
}

export function formatLifecycle(steps: LifecycleStep[]): string {
  if (steps.length === 0) return 'lifecycle: not found (never recorded, or trimmed from the stream)';
  const detail = (step: LifecycleStep) => (step.detail ? ` (${step.detail})` : '');
  const [first, ...rest] = steps;
  const parts = [`${first.state} ${new Date(first.at).toISOString()}${detail(first)}`];
  for (const step of rest) parts.push(`${step.state} ${formatOffset(step.offsetMs)}${detail(step)}`);
  return `lifecycle: ${parts.join(' · ')}`;
}

export function formatCallWaterfall(call: CallWaterfall): string {
  const agent = call.agentId ? ` (agent ${call.agentId})` : '';
  const count = `${call.turns.length} turn${call.turns.length === 1 ? '' : 's'} with metrics`;
  const lines = [`Call ${call.callId}${agent}: ${count}`, formatLifecycle(call.lifecycle)];
  if (call.turns.length === 0) lines.push('', 'no turn.metrics entries for this call (no turn finished yet, or trimmed)');
  for (const turn of call.turns) lines.push('', ...formatTurn(turn));
  return lines.join('\n');
}
