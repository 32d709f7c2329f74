import Telnyx from 'telnyx';
import { AppLogger } from '@app/telemetry';

/**
 * Call Control commands through the official SDK. Every command carries a `command_id` derived from
 * the event that caused it, so a retry after a crash repeats the id and Telnyx ignores the duplicate.
 * 5xx, 408/409/429 and timeouts are retried by the SDK (its own backoff); a command on a call that
 * already ended (422, code 90018) is benign and reported as such, never retried.
 */
export const COMMAND_TIMEOUT_MS = 3000;
export const COMMAND_MAX_RETRIES = 2;
const CALL_ALREADY_ENDED_CODE = '90018';

export type CommandOutcome = 'ok' | 'call-ended';

export class TelnyxCommandError extends Error {
  constructor(
    readonly command: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly retryable: boolean,
    detail: string,
  ) {
    super(`telnyx ${command} failed (${status ?? 'no response'}${code ? `, code ${code}` : ''}): ${detail}`);
    this.name = 'TelnyxCommandError';
  }
}

export interface TelnyxCommandsOptions {
  apiKey: string;
  baseURL: string;
  logger: AppLogger;
  timeoutMs?: number;
  maxRetries?: number;
}

type Actions = Telnyx['calls']['actions'];
export type AnswerBody = Parameters<Actions['answer']>[1];
export type StartPlaybackBody = Parameters<Actions['startPlayback']>[1];
export type StopPlaybackBody = Parameters<Actions['stopPlayback']>[1];
export type HangupBody = Parameters<Actions['hangup']>[1];
export type SpeakBody = Parameters<Actions['speak']>[1];
export type DialBody = Parameters<Telnyx['calls']['dial']>[0];

export class TelnyxCommands {
  readonly client: Telnyx;
  private readonly logger: AppLogger;

  constructor(options: TelnyxCommandsOptions) {
    this.client = new Telnyx({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? COMMAND_TIMEOUT_MS,
      maxRetries: options.maxRetries ?? COMMAND_MAX_RETRIES,
    });
    this.logger = options.logger;
  }

  answer(callId: string, commandId: string, body: AnswerBody = {}): Promise<CommandOutcome> {
    return this.run('answer', callId, () => this.client.calls.actions.answer(callId, { ...body, command_id: commandId }));
  }

  hangup(callId: string, commandId: string, body: HangupBody = {}): Promise<CommandOutcome> {
    return this.run('hangup', callId, () => this.client.calls.actions.hangup(callId, { ...body, command_id: commandId }));
  }

  speak(callId: string, commandId: string, body: SpeakBody): Promise<CommandOutcome> {
    return this.run('speak', callId, () => this.client.calls.actions.speak(callId, { ...body, command_id: commandId }));
  }

  startPlayback(callId: string, commandId: string, body: StartPlaybackBody): Promise<CommandOutcome> {
    return this.run('playback_start', callId, () =>
      this.client.calls.actions.startPlayback(callId, { ...body, command_id: commandId }),
    );
  }

  stopPlayback(callId: string, commandId: string, body: StopPlaybackBody = {}): Promise<CommandOutcome> {
    return this.run('playback_stop', callId, () =>
      this.client.calls.actions.stopPlayback(callId, { ...body, command_id: commandId }),
    );
  }

  async dial(body: DialBody): Promise<{ callControlId: string }> {
    try {
      const response = await this.client.calls.dial(body);
      const callControlId = response.data?.call_control_id;
      if (!callControlId) throw new TelnyxCommandError('dial', undefined, undefined, false, 'no call_control_id in response');
      return { callControlId };
    } catch (error) {
      throw this.classify('dial', error);
    }
  }

  private async run(command: string, callId: string, send: () => Promise<unknown>): Promise<CommandOutcome> {
    try {
      await send();
      return 'ok';
    } catch (error) {
      const classified = this.classify(command, error);
      if (classified.code === CALL_ALREADY_ENDED_CODE) {
        this.logger.info({ callId, command }, 'telnyx command on an ended call (90018), ignored');
        return 'call-ended';
      }
      this.logger.error({ callId, command, status: classified.status, code: classified.code }, 'telnyx command failed');
      throw classified;
    }
  }

  private classify(command: string, error: unknown): TelnyxCommandError {
    if (error instanceof TelnyxCommandError) return error;
    if (error instanceof Telnyx.APIError) {
      const body = error.error as { errors?: Array<{ code?: string | number; detail?: string; title?: string }> } | undefined;
      const first = body?.errors?.[0];
      const status = error.status;
      const retryable = status === undefined || status >= 500 || status === 429 || status === 408;
      return new TelnyxCommandError(command, status, first?.code !== undefined ? String(first.code) : undefined, retryable, first?.detail ?? first?.title ?? error.message);
    }
    return new TelnyxCommandError(command, undefined, undefined, true, String(error));
  }
}
