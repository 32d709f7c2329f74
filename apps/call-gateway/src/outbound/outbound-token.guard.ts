import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '@app/config';
import { CONFIG } from '@app/core';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer <OUTBOUND_API_TOKEN>` or 401, compared in constant time (over digests, so the
 * length does not leak either). Without OUTBOUND_API_TOKEN nobody can place calls: every request is 401.
 */
@Injectable()
export class OutboundTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(CONFIG) config: AppConfig) {
    if (config.OUTBOUND_API_TOKEN) this.expected = digest(config.OUTBOUND_API_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/.exec(header);
    if (!this.expected || !match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException({ error: 'a valid bearer token is required' });
    }
    return true;
  }
}
