import { DEFAULT_CHUNK_LENGTH_SCHEDULE } from './elevenlabs.constants';
import { finalMessage } from './server-messages';
import { invalidRequestError, settingsChangedError } from './server-errors';
import { StreamContext } from './stream-context';
import { TextBuffer, scheduleFrom } from './text-buffer';
import { WsSession } from './ws-session';

type Json = Record<string, unknown>;

/** The one context of a stream-input socket, named for leak assertions. */
const SINGLE_CONTEXT_ID = 'stream';

/**
 * `/v1/text-to-speech/{voice_id}/stream-input` (AsyncAPI), one generation stream per socket:
 * - first message `{"text":" ","voice_settings",...}`, optionally carrying `xi_api_key` / `xi-api-key`;
 *   voice settings may later be repeated unchanged only;
 * - text messages (`flush: true` forces generation); `{"text":" "}` keeps the socket alive;
 * - `{"text":""}` ends input: buffered text is generated ("closing will automatically force generate
 *   any buffered text", WebSocket guide), then `{"isFinal":true}` and a normal close.
 * Audio messages are `{"audio","isFinal":false,"normalizedAlignment","alignment"}` (the reference's
 * example). The turn is named by our client's `x-turn-id` header for the timeline.
 */
export class StreamInputSession extends WsSession {
  private context?: StreamContext;
  private ending = false;

  liveContextIds(): string[] {
    return this.context && this.state === 'open' ? [SINGLE_CONTEXT_ID] : [];
  }

  protected hasWorkInProgress(): boolean {
    return this.context?.speaker.busy ?? false;
  }

  protected stopAll(): void {
    this.context?.stop();
  }

  protected onMessage(message: Json): void {
    if (this.ending) return;
    if (typeof message.text !== 'string') return this.fail(invalidRequestError('Invalid message: the text field is required.'));
    const text = message.text;
    if (!this.context) this.context = this.open(message);
    else {
      const conflict = this.context.conflictWith(message);
      if (conflict) return this.fail(settingsChangedError(conflict));
    }
    const context = this.context;
    if (text === '') {
      this.ending = true;
      context.enqueue(context.buffer.flush());
      context.speaker.onceIdle(() => {
        this.sendJson(finalMessage(this.config.spelling));
        this.closeNormally();
      });
      return;
    }
    this.recordText(this.identity.turnId, text);
    context.enqueue(context.buffer.push(text));
    if (message.flush === true) context.enqueue(context.buffer.flush());
  }

  private open(first: Json): StreamContext {
    const buffer = new TextBuffer(scheduleFrom(first.generation_config, DEFAULT_CHUNK_LENGTH_SCHEDULE), this.query!.autoMode);
    return new StreamContext(SINGLE_CONTEXT_ID, first, buffer, this.config.clock, {
      plan: (text) => this.plan(text),
      timing: () => this.timing(),
      emit: (chunk) => this.sendAudio(chunk, this.identity.turnId, { finalFlag: false }),
    });
  }
}
