import { DEFAULT_CHUNK_LENGTH_SCHEDULE, DEFAULT_CONTEXT_ID } from './elevenlabs.constants';
import { finalMessage } from './server-messages';
import { inputTimeoutError, maxContextsError, settingsChangedError } from './server-errors';
import { StreamContext } from './stream-context';
import { TextBuffer, scheduleFrom } from './text-buffer';
import { WsSession } from './ws-session';

type Json = Record<string, unknown>;

/**
 * `/v1/text-to-speech/{voice_id}/multi-stream-input` (AsyncAPI + multi-context guide):
 * - a context opens with its first message (normally `{"text":" ","context_id","voice_settings",...}`);
 *   whatever that message is — even a keepalive `{"text":""}` — fixes the context's settings;
 * - text accumulates per context and is generated on `flush` (or by the chunk schedule / auto_mode);
 * - `{"context_id","close_context":true}` drops unflushed text, lets flushed text finish, then sends
 *   `{"isFinal":true,"contextId"}` ("sent when a context is closed"); a bare flush sends no isFinal;
 * - `{"close_socket":true}` flushes every context, sends their isFinal, then closes 1000;
 * - a sixth live context, a changed voice_settings, or an idle timeout → error message + close 1008.
 */
export class MultiStreamSession extends WsSession {
  private readonly contexts = new Map<string, StreamContext>();
  private closingSocket = false;

  liveContextIds(): string[] {
    return [...this.contexts.keys()];
  }

  protected hasWorkInProgress(): boolean {
    return [...this.contexts.values()].some((c) => c.speaker.busy);
  }

  protected stopAll(): void {
    for (const context of this.contexts.values()) context.stop();
    this.contexts.clear();
  }

  private get contextIdleMs(): number {
    return this.config.contextIdleTimeoutMs ?? this.query!.inactivityTimeoutS * 1000;
  }

  protected onMessage(message: Json): void {
    if (this.closingSocket) return;
    if (message.close_socket === true) return this.closeSocket();
    const text = typeof message.text === 'string' ? message.text : undefined;
    const named = typeof message.context_id === 'string' ? message.context_id : undefined;
    // `{"text":""}` without a context id only keeps the socket alive (pipecat sends exactly this).
    if (named === undefined && text === '' && message.flush !== true && message.close_context !== true) return;
    const contextId = named ?? DEFAULT_CONTEXT_ID;
    let context = this.contexts.get(contextId);
    if (message.close_context === true) {
      if (context) this.closeContext(context);
      return;
    }
    if (!context) {
      if (this.contexts.size >= this.config.maxContextsPerSocket) return this.fail(maxContextsError(this.config.maxContextsPerSocket));
      context = this.openContext(contextId, message);
    } else {
      const conflict = context.conflictWith(message);
      if (conflict) return this.fail(settingsChangedError(conflict));
    }
    if (context.closing) return; // the id is reusable only once the old context is gone
    const ctx = context;
    ctx.touch(this.contextIdleMs, () => this.onContextIdle(ctx));
    if (text !== undefined && text !== '') {
      this.recordText(contextId, text);
      ctx.enqueue(ctx.buffer.push(text));
    }
    if (message.flush === true) ctx.enqueue(ctx.buffer.flush());
  }

  private openContext(id: string, first: Json): StreamContext {
    const buffer = new TextBuffer(scheduleFrom(first.generation_config, DEFAULT_CHUNK_LENGTH_SCHEDULE), this.query!.autoMode);
    const context: StreamContext = new StreamContext(id, first, buffer, this.config.clock, {
      plan: (text) => this.plan(text),
      timing: () => this.timing(),
      emit: (chunk) => this.sendAudio(chunk, id, { contextId: id }),
    });
    this.contexts.set(id, context);
    return context;
  }

  private closeContext(context: StreamContext): void {
    if (context.closing) return;
    context.closing = true;
    context.buffer.discard();
    context.stopTimer();
    context.speaker.onceIdle(() => this.finishContext(context));
  }

  private finishContext(context: StreamContext): void {
    if (this.contexts.get(context.id) !== context) return;
    this.contexts.delete(context.id);
    this.sendJson(finalMessage(this.config.spelling, context.id));
  }

  private onContextIdle(context: StreamContext): void {
    if (this.config.contextTimeoutBehavior === 'close-socket') {
      this.fail(inputTimeoutError(this.contextIdleMs / 1000));
      return;
    }
    context.stop();
    this.contexts.delete(context.id);
  }

  /** "Flushes all contexts and closes the entire WebSocket connection" once their audio is out. */
  private closeSocket(): void {
    this.closingSocket = true;
    const contexts = [...this.contexts.values()];
    let remaining = contexts.length;
    const done = () => {
      if (--remaining <= 0) this.closeNormally();
    };
    if (remaining === 0) return this.closeNormally();
    for (const context of contexts) {
      context.stopTimer();
      if (!context.closing) context.enqueue(context.buffer.flush());
      context.closing = true;
      context.speaker.onceIdle(() => {
        this.finishContext(context);
        done();
      });
    }
  }
}
