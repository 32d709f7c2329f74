import { Controller, Headers, HttpCode, HttpException, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { WebhookIntakeService } from './webhook-intake.service';

export const TELNYX_WEBHOOK_PATH = 'webhooks/telnyx';

@Controller()
export class TelnyxWebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  /** The raw body arrives as a Buffer (express.raw is mounted on this path in main.ts, with the size limit). */
  @Post(TELNYX_WEBHOOK_PATH)
  @HttpCode(200)
  async receive(@Req() req: Request, @Headers() headers: Record<string, string>): Promise<{ outcome: string }> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await this.intake.accept(raw, headers);
    if (result.status !== 200) throw new HttpException({ error: result.reason }, result.status);
    return { outcome: result.outcome };
  }
}
