import type { TtsLogger } from './tts-session.types';

/**
 * Puts `callId` and `turnId` on every line of a session (the turn being spoken when the line is not
 * about a particular one). Keys never reach it: the session never passes headers or URLs with secrets.
 */
export class SessionLog {
  constructor(
    private readonly logger: TtsLogger,
    private readonly callId: string,
    private readonly currentTurnId: () => string | undefined,
  ) {}

  info(fields: Record<string, unknown>, message: string): void {
    this.logger.info(this.with(fields), message);
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.logger.warn(this.with(fields), message);
  }

  error(fields: Record<string, unknown>, message: string): void {
    this.logger.error(this.with(fields), message);
  }

  debug(fields: Record<string, unknown>, message: string): void {
    this.logger.debug(this.with(fields), message);
  }

  private with(fields: Record<string, unknown>): Record<string, unknown> {
    return { callId: this.callId, turnId: this.currentTurnId() ?? null, ...fields };
  }
}
