import { BadGatewayException, BadRequestException, Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { TelnyxCommandError } from '@app/telnyx';
import { IDEMPOTENCY_KEY, parseOutboundCallRequest } from './outbound-call.request';
import { OutboundCall, OutboundDialerService } from './outbound-dialer.service';
import { OutboundTokenGuard } from './outbound-token.guard';

export const OUTBOUND_CALLS_PATH = 'v1/calls';

/**
 * `POST /v1/calls {to, from, agentId}` with `Authorization: Bearer <OUTBOUND_API_TOKEN>`: 201 with the
 * call id; 401 without the token (checked before the body is read); 400 for a bad body or
 * Idempotency-Key; 404 for an unknown agent; 503 when outbound calls are not configured
 * (TELNYX_CONNECTION_ID); 502 when Telnyx refuses the dial.
 */
@Controller()
export class OutboundCallsController {
  constructor(private readonly dialer: OutboundDialerService) {}

  /** The raw body arrives as a Buffer (express.raw is mounted on this path in main.ts, with the size limit). */
  @Post(OUTBOUND_CALLS_PATH)
  @HttpCode(201)
  @UseGuards(OutboundTokenGuard)
  async create(@Req() req: Request, @Headers('idempotency-key') idempotencyKey?: string): Promise<OutboundCall> {
    const parsed = parseOutboundCallRequest(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    if (!parsed.ok) throw new BadRequestException({ error: parsed.reason });
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException({ error: 'Idempotency-Key: must be 1-64 characters [A-Za-z0-9_.:-]' });
    }
    try {
      return await this.dialer.dial(parsed.request, idempotencyKey);
    } catch (error) {
      if (error instanceof TelnyxCommandError) throw new BadGatewayException({ error: 'telnyx refused the dial', status: error.status, code: error.code });
      throw error;
    }
  }
}
