import { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { CallReport } from './call-report';
import { readBody, sendJson } from './http-io';
import { ScriptedUtterance } from './scripted-caller';

/**
 * Drives the simulator from another process (the demo, the benchmark), on the same port as the
 * Telnyx API but apart from it:
 *   POST /sandbox/calls              {from, to, script:[{text, bargeInAfterMs?, dtmf?}]} → 201 {callId}
 *   GET  /sandbox/calls/{callId}/report                                                 → the call report
 *   GET  /sandbox/health                                                                → {status:"ok", calls}
 * The callId contains a colon: send it URL-encoded in the report path.
 */
export const CONTROL_PREFIX = '/sandbox';

export const placeCallRequestSchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  script: z
    .array(
      z.object({
        text: z.string(),
        bargeInAfterMs: z.number().nonnegative().optional(),
        dtmf: z.string().regex(/^[0-9*#A-D]+$/).optional(),
      }),
    )
    .default([]),
});

export interface PlaceCallRequest {
  from: string;
  to: string;
  script: ScriptedUtterance[];
}

/** What the control API needs from the simulator. */
export interface SandboxControl {
  placeCall(request: PlaceCallRequest): { callId: string };
  report(callId: string): CallReport | undefined;
  callCount(): number;
}

const REPORT_PATH = /^\/sandbox\/calls\/([^/]+)\/report$/;

export class SandboxControlApi {
  constructor(private readonly control: SandboxControl) {}

  handles(path: string): boolean {
    return path.startsWith(`${CONTROL_PREFIX}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = await readBody(req);
    if (req.method === 'GET' && path === `${CONTROL_PREFIX}/health`) {
      return sendJson(res, 200, { status: 'ok', calls: this.control.callCount() });
    }
    if (req.method === 'POST' && path === `${CONTROL_PREFIX}/calls`) return this.placeCall(res, raw);
    const report = REPORT_PATH.exec(path);
    if (req.method === 'GET' && report) {
      const found = this.control.report(decodeURIComponent(report[1]));
      return found ? sendJson(res, 200, found) : sendJson(res, 404, { error: 'unknown call' });
    }
    sendJson(res, 404, { error: 'not found' });
  }

  private placeCall(res: ServerResponse, raw: string): void {
    let json: unknown;
    try {
      json = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const parsed = placeCallRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
      return sendJson(res, 400, { error: 'invalid call request', issues });
    }
    sendJson(res, 201, this.control.placeCall(parsed.data));
  }
}
