import type { RedisClient } from '@app/bus/bus.types';
import {
  CallLifecycleMessage,
  LIFECYCLE_STREAM,
  METRICS_STREAM,
  TurnMetricsMessage,
  decodeMessage,
  fieldsToRecord,
} from '@app/contracts';
import type { TurnRecord } from './waterfall-model';

/**
 * Reads one call's entries from `calls:lifecycle` and `metrics` for `npm run inspect`. Both streams are
 * shared by every call, so they are read newest first (XREVRANGE) in pages and bounded: the metrics
 * read by the call's lifetime when its lifecycle is known, both by a maximum number of entries.
 */

/** Entries per XREVRANGE: a few hundred bytes each, so one round trip stays around 100 KB. */
export const SCAN_PAGE_ENTRIES = 500;
/**
 * The most entries read from one stream: twice the publisher's default MAXLEN (10,000), i.e. the whole
 * of a trimmed stream with margin for `MAXLEN ~`, and a bound on what one lookup costs Redis.
 */
export const MAX_SCAN_ENTRIES = 20_000;
/** Stream ids carry Redis's clock, `at` the publisher's: hosts' clocks may differ by this much. */
export const CLOCK_SKEW_SLACK_MS = 5_000;
/** The last turn's metrics are published when its playback is over, which may be after the call ended. */
export const AFTER_END_SLACK_MS = 60_000;

export interface CallRecords {
  lifecycle: CallLifecycleMessage[];
  turns: TurnRecord[];
  /** Entries of this call that failed validation (left out). */
  invalid: number;
}

type Visit = (record: Record<string, string>) => 'stop' | void;

/** Visits the entries between `start` and `end` (stream ids), newest first, until `visit` says stop. */
async function scanNewestFirst(redis: RedisClient, stream: string, end: string, start: string, visit: Visit): Promise<void> {
  let upper = end;
  for (let scanned = 0; scanned < MAX_SCAN_ENTRIES; ) {
    const page = await redis.xrevrange(stream, upper, start, 'COUNT', SCAN_PAGE_ENTRIES);
    for (const [, fields] of page) if (visit(fieldsToRecord(fields)) === 'stop') return;
    scanned += page.length;
    if (page.length < SCAN_PAGE_ENTRIES) return;
    upper = `(${page[page.length - 1][0]}`;
  }
}

/**
 * Gaps between sentences, comma-separated ms, read when an entry has them. `turn.metrics` has no such
 * field yet (see the telemetry report); until it does, turns show no gaps.
 */
export function parseGaps(value: string | undefined): number[] {
  if (!value) return [];
  return value
    .split(',')
    .map(Number)
    .filter((ms) => Number.isFinite(ms) && ms >= 0);
}

export async function readCallRecords(redis: RedisClient, callId: string): Promise<CallRecords> {
  const records: CallRecords = { lifecycle: [], turns: [], invalid: 0 };
  await scanNewestFirst(redis, LIFECYCLE_STREAM, '+', '-', (record) => {
    if (record.callId !== callId) return;
    const decoded = decodeMessage(record);
    if (!decoded.ok || decoded.message.type !== 'call.lifecycle') return void records.invalid++;
    records.lifecycle.push(decoded.message);
    // Newest first: the call's first state ends its story.
    return decoded.message.state === 'initiated' ? 'stop' : undefined;
  });
  records.lifecycle.reverse();

  const [start, end] = metricsWindow(records.lifecycle);
  await scanNewestFirst(redis, METRICS_STREAM, end, start, (record) => {
    if (record.callId !== callId) return;
    const decoded = decodeMessage(record);
    if (!decoded.ok || decoded.message.type !== 'turn.metrics') return void records.invalid++;
    records.turns.push({ metrics: decoded.message as TurnMetricsMessage, gapsMs: parseGaps(record.gapsMs) });
  });
  records.turns.reverse();
  return records;
}

/** The stream-id range the call's metrics can lie in: its lifetime with slack, or everything. */
function metricsWindow(lifecycle: CallLifecycleMessage[]): [string, string] {
  if (lifecycle.length === 0) return ['-', '+'];
  const first = lifecycle[0];
  const last = lifecycle[lifecycle.length - 1];
  const start = first.state === 'initiated' ? String(Math.max(0, Math.floor(first.at - CLOCK_SKEW_SLACK_MS))) : '-';
  const end = last.state === 'ended' ? String(Math.ceil(last.at + AFTER_END_SLACK_MS)) : '+';
  return [start, end];
}
