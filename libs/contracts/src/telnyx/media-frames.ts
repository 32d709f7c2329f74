import { z } from 'zod';

/**
 * Telnyx media streaming WebSocket frames (Telnyx → us), validated on arrival at the playback-worker.
 * Frames we send are built by `outboundMediaFrame` and friends so their shape lives here too.
 */
export const inboundMediaFrameSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('connected'), version: z.string().optional() }).passthrough(),
  z
    .object({
      event: z.literal('start'),
      sequence_number: z.union([z.string(), z.number()]).optional(),
      stream_id: z.string().optional(),
      start: z
        .object({
          call_control_id: z.string().min(1),
          media_format: z
            .object({
              encoding: z.string(),
              sample_rate: z.number().optional(),
              channels: z.number().optional(),
            })
            .passthrough(),
        })
        .passthrough(),
    })
    .passthrough(),
  z
    .object({
      event: z.literal('media'),
      stream_id: z.string().optional(),
      media: z.object({ track: z.string().optional(), payload: z.string() }).passthrough(),
    })
    .passthrough(),
  z.object({ event: z.literal('mark'), mark: z.object({ name: z.string() }) }).passthrough(),
  z.object({ event: z.literal('dtmf'), dtmf: z.object({ digit: z.string() }).passthrough().optional() }).passthrough(),
  z.object({ event: z.literal('stop') }).passthrough(),
  z
    .object({
      event: z.literal('error'),
      payload: z.object({ code: z.number(), title: z.string().optional(), detail: z.string().optional() }).passthrough(),
    })
    .passthrough(),
]);
export type InboundMediaFrame = z.output<typeof inboundMediaFrameSchema>;

export const outboundMediaFrame = (payloadBase64: string) => ({ event: 'media' as const, media: { payload: payloadBase64 } });
export const clearFrame = () => ({ event: 'clear' as const });
export const markFrame = (name: string) => ({ event: 'mark' as const, mark: { name } });

/** Mark names we put after each sentence: `<turnId>:<seq>` and `<turnId>:<seq>:end` for a turn's last. */
export function sentenceMarkName(turnId: string, seq: number, last: boolean): string {
  return `${turnId}:${seq}${last ? ':end' : ''}`;
}
export function parseSentenceMarkName(name: string): { turnId: string; seq: number; last: boolean } | undefined {
  const m = /^(\d+):(\d+)(:end)?$/.exec(name);
  return m ? { turnId: m[1], seq: Number(m[2]), last: Boolean(m[3]) } : undefined;
}

/**
 * Sent just before a turn's first frame: Telnyx echoes it when the audio before it has been played,
 * which is when the caller starts hearing this turn (the nearest proxy for "first audio heard").
 */
export function turnStartMarkName(turnId: string): string {
  return `${turnId}:start`;
}
export function parseTurnStartMarkName(name: string): string | undefined {
  return /^(\d+):start$/.exec(name)?.[1];
}
