import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { DEFAULT_TTS_SHARDS, GROUPS, PLAYBACK_EVENTS_STREAM, shardOf, ttsShardStream } from '@app/contracts';

/**
 * Checks for the end-to-end tests that run the system as processes: what each turn of a call said
 * (the sentences the llm-worker and gateway sent to the call's TTS shard stream) against what the
 * playback-worker reported heard (`turn.heard`), and the apps' logs for Redis Cluster slot errors.
 */

/** Error texts of a command that touches keys of two slots (Redis itself, and ioredis' pipeline check). */
export const CROSS_SLOT_PATTERNS = [
  /CROSSSLOT/,
  /Keys in request don't hash to the same slot/,
  /All keys in the pipeline should belong to the same slots allocation group/,
  /All the keys in a pipeline command should belong to the same slot/,
];

export interface LogHit {
  file: string;
  line: string;
}

/** Every log line of every process in `logDir` that matches one of `patterns`. */
export function grepLogs(logDir: string, patterns: RegExp[] = CROSS_SLOT_PATTERNS): LogHit[] {
  const hits: LogHit[] = [];
  for (const file of readdirSync(logDir).filter((name) => name.endsWith('.log'))) {
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      if (patterns.some((pattern) => pattern.test(line))) hits.push({ file, line: line.slice(0, 500) });
    }
  }
  return hits;
}

export interface TurnAudit {
  turnId: string;
  kind: string;
  /** The turn's sentences in seq order (deduplicated by seq: a regenerated turn may publish twice). */
  sentences: string[];
  /** The last `turn.heard` report of the turn, if any. */
  heard?: { text: string; complete: boolean };
}

export interface CallAudit {
  callId: string;
  turns: TurnAudit[];
  /** Human-readable problems: a turn with no complete `turn.heard`, or heard text that is not all its sentences. */
  problems: string[];
}

type AnyRedis = Redis | Cluster;

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * What a call's turns said and what the caller was reported to have heard. A turn counts as fully heard
 * when a `turn.heard` with complete=1 carries exactly its sentences joined by spaces.
 */
export async function auditCall(redis: AnyRedis, callId: string, shards = DEFAULT_TTS_SHARDS): Promise<CallAudit> {
  const sentenceEntries = await redis.xrange(ttsShardStream(shardOf(callId, shards)), '-', '+');
  const turns = new Map<string, { kind: string; bySeq: Map<number, string> }>();
  for (const [, flat] of sentenceEntries) {
    const f = fieldsOf(flat);
    if (f.type !== 'sentence' || f.callId !== callId) continue;
    const turn = turns.get(f.turnId) ?? { kind: f.kind, bySeq: new Map<number, string>() };
    turns.set(f.turnId, turn);
    if (!turn.bySeq.has(Number(f.seq))) turn.bySeq.set(Number(f.seq), f.text);
  }
  const heard = new Map<string, { text: string; complete: boolean }>();
  for (const [, flat] of await redis.xrange(PLAYBACK_EVENTS_STREAM, '-', '+')) {
    const f = fieldsOf(flat);
    if (f.type !== 'turn.heard' || f.callId !== callId) continue;
    const previous = heard.get(f.turnId);
    // A complete report wins over a partial one (a turn is reported once; this guards a duplicate).
    if (!previous?.complete) heard.set(f.turnId, { text: f.text, complete: f.complete === '1' || f.complete === 'true' });
  }
  const audits: TurnAudit[] = [...turns.entries()]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([turnId, turn]) => ({
      turnId,
      kind: turn.kind,
      sentences: [...turn.bySeq.entries()].sort(([a], [b]) => a - b).map(([, text]) => text),
      heard: heard.get(turnId),
    }));
  const problems: string[] = [];
  /** For a failure message: the call's entries in its shard stream, and which are pending (delivered, never acked). */
  const pendingNote = async () => {
    const stream = ttsShardStream(shardOf(callId, shards));
    const pending = (await redis.xpending(stream, GROUPS.tts, '-', '+', 1000).catch(() => [])) as Array<[string, string, number, number]>;
    const mine = new Set(sentenceEntries.filter(([, flat]) => flat.includes(callId)).map(([id]) => id));
    const ids = sentenceEntries
      .filter(([, flat]) => flat.includes(callId))
      .map(([id, flat]) => `${fieldsOf(flat).turnId}/${fieldsOf(flat).type === 'sentence' ? fieldsOf(flat).seq : fieldsOf(flat).type}=${id}`);
    const stuck = pending.filter(([id]) => mine.has(id)).map(([id, consumer, idle, deliveries]) => `${id} by ${consumer} idle ${idle} ms x${deliveries}`);
    return `[${stream} entries ${ids.join(' ')}; pending: ${stuck.join(', ') || 'none'}]`;
  };
  for (const turn of audits) {
    const said = normalize(turn.sentences.join(' '));
    if (!turn.heard) problems.push(`${callId} turn ${turn.turnId} (${turn.kind}): no turn.heard report; said "${said}"`);
    else if (!turn.heard.complete || normalize(turn.heard.text) !== said) {
      problems.push(
        `${callId} turn ${turn.turnId} (${turn.kind}): heard${turn.heard.complete ? '' : ' (incomplete)'} "${normalize(turn.heard.text)}" but said "${said}"`,
      );
    }
  }
  if (problems.length > 0) problems.push(await pendingNote());
  return { callId, turns: audits, problems };
}

/** Polls `probe` until it returns something other than undefined; fails naming `what` after the timeout. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string, pollMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
