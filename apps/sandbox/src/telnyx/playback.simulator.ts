import { Clock, TimerHandle } from '@app/clock';
import { missingParameter } from './api-errors';
import { CallWebhooks } from './call-webhooks';
import { SimCall } from './call.registry';
import { HeardSegment } from './ear';

/**
 * `playback_start`, `playback_stop` and `speak`: Telnyx queues them (an overlay plays at once, beside
 * the queue) and reports each with started/ended webhooks. The audio is not decoded: a WAV sent as
 * `playback_content` lasts what its header says; anything else lasts `defaultLengthMs`. The caller's
 * ear hears it as audible audio for that long, so REST playback is measured like streamed audio.
 */
/** Length assumed for an `audio_url` or MP3 the simulator cannot read (no network, no MP3 decoder). */
export const DEFAULT_PLAYBACK_LENGTH_MS = 2_000;
/** Speech rate for `speak`: ~150 words a minute at ~6 characters a word. */
export const SPEAK_MS_PER_CHAR = 65;

type Kind = 'playback' | 'speak';

interface Item {
  kind: Kind;
  lengthMs: number;
  overlay: boolean;
  fields: Record<string, unknown>;
  segment?: HeardSegment;
  timer?: TimerHandle;
}

interface CallPlayer {
  current?: Item;
  queue: Item[];
  overlays: Set<Item>;
}

export class PlaybackSimulator {
  private readonly players = new Map<string, CallPlayer>();

  constructor(
    private readonly clock: Clock,
    private readonly webhooks: CallWebhooks,
    private readonly defaultLengthMs = DEFAULT_PLAYBACK_LENGTH_MS,
  ) {}

  startPlayback(call: SimCall, body: Record<string, unknown>): void {
    const audioUrl = str(body.audio_url);
    const content = str(body.playback_content);
    const mediaName = str(body.media_name);
    if (!audioUrl && !content && !mediaName) throw missingParameter('audio_url');
    const lengthMs = (content && wavLengthMs(Buffer.from(content, 'base64'))) || this.defaultLengthMs;
    const fields = { ...(audioUrl ? { media_url: audioUrl } : {}), ...(mediaName ? { media_name: mediaName } : {}), overlay: body.overlay === true };
    this.play(call, { kind: 'playback', lengthMs, overlay: body.overlay === true, fields });
  }

  speak(call: SimCall, body: Record<string, unknown>): void {
    const text = str(body.payload);
    if (!text) throw missingParameter('payload');
    this.play(call, { kind: 'speak', lengthMs: text.length * SPEAK_MS_PER_CHAR, overlay: false, fields: {} });
  }

  /** `stop`: "current" ends what plays now, "all" (the default) also empties the queue. */
  stopPlayback(call: SimCall, body: Record<string, unknown>): void {
    const player = this.player(call);
    if (body.overlay === true) {
      for (const item of player.overlays) this.end(call, item, 'cancelled');
      return;
    }
    if (body.stop !== 'current') player.queue = player.queue.filter((item) => item.kind !== 'playback');
    if (player.current?.kind === 'playback') this.end(call, player.current, 'cancelled');
  }

  hangup(call: SimCall): void {
    const player = this.player(call);
    player.queue = [];
    for (const item of player.overlays) this.end(call, item, 'call_hangup');
    if (player.current) this.end(call, player.current, 'call_hangup');
    this.players.delete(call.callControlId);
  }

  private play(call: SimCall, item: Item): void {
    const player = this.player(call);
    if (item.overlay) {
      player.overlays.add(item);
      this.begin(call, item);
    } else if (player.current) {
      player.queue.push(item);
    } else {
      player.current = item;
      this.begin(call, item);
    }
  }

  private begin(call: SimCall, item: Item): void {
    this.webhooks.emit(call, item.kind === 'playback' ? 'call.playback.started' : 'call.speak.started', item.fields);
    item.segment = call.ear.hearSegment(item.lengthMs, item.kind);
    item.timer = this.clock.setTimeout(() => this.end(call, item, 'completed'), item.lengthMs);
  }

  private end(call: SimCall, item: Item, status: 'completed' | 'cancelled' | 'call_hangup'): void {
    this.clock.clearTimeout(item.timer);
    if (item.segment && status !== 'completed') call.ear.cut(item.segment);
    this.webhooks.emit(call, item.kind === 'playback' ? 'call.playback.ended' : 'call.speak.ended', { ...item.fields, status });
    const player = this.player(call);
    if (player.overlays.delete(item) || player.current !== item) return;
    player.current = player.queue.shift();
    if (player.current && status !== 'call_hangup') this.begin(call, player.current);
  }

  private player(call: SimCall): CallPlayer {
    let player = this.players.get(call.callControlId);
    if (!player) {
      player = { queue: [], overlays: new Set() };
      this.players.set(call.callControlId, player);
    }
    return player;
  }
}

/** Length of a RIFF/WAVE file from its `fmt ` byte rate and `data` size, or undefined if not a WAV. */
export function wavLengthMs(file: Buffer): number | undefined {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let byteRate: number | undefined;
  for (let offset = 12; offset + 8 <= file.length; ) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 16 <= file.length) byteRate = file.readUInt32LE(offset + 16);
    if (id === 'data') return byteRate ? (size / byteRate) * 1000 : undefined;
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
