import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { RedisClient } from '@app/bus';
import { REDIS } from './tokens';

/** Readiness checks that an app can add (the tts-worker: holds the shards it was assigned). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export type ReadinessCheck = () => Promise<string | undefined> | string | undefined;

/** Liveness: the process answers. Readiness: Redis answers, and every app-specific check passes. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ready' }> {
    try {
      await this.redis.ping();
    } catch {
      throw new HttpException({ status: 'not-ready', reason: 'redis unreachable' }, 503);
    }
    for (const check of this.checks) {
      const problem = await check();
      if (problem) throw new HttpException({ status: 'not-ready', reason: problem }, 503);
    }
    return { status: 'ready' };
  }
}
