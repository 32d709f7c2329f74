import Telnyx from 'telnyx';
import { AppLogger } from '@app/telemetry';
import { CommandOutcome, TelnyxCommandError, TelnyxCommands } from '@app/telnyx';

export type StartStreamingBody = NonNullable<Parameters<Telnyx['calls']['actions']['startStreaming']>[1]>;

/** Telnyx's code for a command on a call that already ended: benign, never retried. */
const CALL_ALREADY_ENDED_CODE = '90018';

/**
 * `streaming_start`, which the shared TelnyxCommands (libs/telnyx) does not wrap yet: sent through the
 * same SDK client (same base URL, timeout and retries of 5xx/408/429), with the same meaning of 90018.
 * Only dialled calls need it (their stream token needs the call_control_id the dial returns).
 */
export async function startStreaming(
  telnyx: TelnyxCommands,
  logger: AppLogger,
  callId: string,
  commandId: string,
  body: StartStreamingBody,
): Promise<CommandOutcome> {
  try {
    await telnyx.client.calls.actions.startStreaming(callId, { ...body, command_id: commandId });
    return 'ok';
  } catch (error) {
    if (!(error instanceof Telnyx.APIError)) throw new TelnyxCommandError('streaming_start', undefined, undefined, true, String(error));
    const first = (error.error as { errors?: Array<{ code?: string | number; detail?: string }> } | undefined)?.errors?.[0];
    const code = first?.code === undefined ? undefined : String(first.code);
    if (code === CALL_ALREADY_ENDED_CODE) {
      logger.info({ callId, command: 'streaming_start' }, 'telnyx command on an ended call (90018), ignored');
      return 'call-ended';
    }
    const status = error.status;
    const retryable = status === undefined || status >= 500 || status === 429 || status === 408;
    throw new TelnyxCommandError('streaming_start', status, code, retryable, first?.detail ?? error.message);
  }
}
