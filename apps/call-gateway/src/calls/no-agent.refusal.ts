import { Inject, Injectable } from '@nestjs/common';
import { AppLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { LOGGER } from '@app/core';
import { TELNYX_COMMANDS } from '../telnyx/telnyx.provider';
import { encodeClientState } from '../telnyx/client-state';

/** Said to a caller who reached a number that no agent answers (and no default agent exists). */
export const NO_AGENT_LINE = 'Sorry, this number is not in service. Goodbye.';
/** Telnyx's own TTS says the line: no agent means no voice settings of ours to use. */
export const NO_AGENT_VOICE = 'female';
export const NO_AGENT_LANGUAGE = 'en-US';

/**
 * A call to a number with no agent and no default: answered (marked refused in its client_state),
 * told so politely once `call.answered` confirms the media is up, and hung up once `call.speak.ended`
 * says the line was heard. Logged; no state kept, no bus message: the marker travels with the call.
 */
@Injectable()
export class NoAgentRefusal {
  constructor(
    @Inject(TELNYX_COMMANDS) private readonly telnyx: TelnyxCommands,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async refuse(eventId: string, callId: string, to: string): Promise<void> {
    this.logger.warn({ callId, eventId, pii: { to } }, 'no agent for the called number, refusing the call');
    await this.telnyx.answer(callId, `${eventId}:answer`, { client_state: encodeClientState({ refused: true }) });
  }

  async onAnswered(eventId: string, callId: string): Promise<void> {
    await this.telnyx.speak(callId, `${eventId}:speak`, { payload: NO_AGENT_LINE, voice: NO_AGENT_VOICE, language: NO_AGENT_LANGUAGE });
  }

  async onSpeakEnded(eventId: string, callId: string): Promise<void> {
    this.logger.info({ callId, eventId }, 'refusal said, hanging up');
    await this.telnyx.hangup(callId, `${eventId}:hangup`, {});
  }
}
