import type { Clock } from '@app/clock';
import { countSpeakable } from './alignment-attributor';
import type { LiveContext } from './context-registry';
import { outbound, type ElevenLabsVoiceSettings, type ServerMessage } from './elevenlabs.wire';
import type { SessionLog } from './session-log';
import type { TtsConnection } from './tts-connection';
import { TtsError } from './tts-errors';
import type { SentenceInput, SessionEmit } from './tts-session.types';
import { SentenceAudio } from './sentence-audio';
import { TurnLedger, type SentenceRecord, type TurnRecord } from './turn-ledger';

/**
 * Turns on contexts: sends each sentence the moment it can, hands the audio that comes back to
 * SentenceAudio (attribution, numbering, ends), closes each context exactly when it is safe, and recovers a turn's unfinished sentences
 * when its context or socket is lost. The socket's lifecycle belongs to the session (the host).
 */
export interface DispatcherHost {
  /** The current connection, if open. */
  openConnection(): TtsConnection | undefined;
  /** A sentence is waiting and no socket is open. */
  needConnection(): void;
  /** The socket is at its context limit: replace it (unfinished sentences are re-sent on the new one). */
  recycle(reason: string): void;
  /** A context stayed silent even after its re-send: the socket counts as failed. */
  stuck(connection: TtsConnection, error: TtsError): void;
  isFailed(): boolean;
}

export interface DispatcherDeps {
  callId: string;
  clock: Clock;
  log: SessionLog;
  voiceSettings: ElevenLabsVoiceSettings;
  noAudioTimeoutMs: number;
  host: DispatcherHost;
  emit: SessionEmit;
}

export class TurnDispatcher {
  readonly ledger = new TurnLedger();
  private readonly audio: SentenceAudio;

  constructor(private readonly deps: DispatcherDeps) {
    this.audio = new SentenceAudio({ ...deps, ledger: this.ledger });
  }

  push(input: SentenceInput): void {
    const { log, host } = this.deps;
    const fields = { turnId: input.turnId, seq: input.seq };
    if (this.ledger.tombstone(input.turnId)) return log.warn(fields, 'TTS sentence for an ended turn dropped');
    let turn = this.ledger.get(input.turnId);
    if (!turn) {
      if (this.ledger.isOlderThanKnown(input.turnId)) return log.warn(fields, 'TTS sentence for a superseded turn dropped');
      turn = this.ledger.getOrCreate(input.turnId);
      this.supersedeOthers(turn);
    } else if (turn.superseded) {
      return log.warn(fields, 'TTS sentence for a superseded turn dropped');
    }
    if (!this.ledger.addSentence(turn, input)) return log.debug(fields, 'TTS duplicate sentence ignored');
    if (input.last) turn.endRequested = true;
    if (turn.handedOff || host.isFailed()) return this.handOff(turn);
    this.pump(turn);
  }

  endTurn(turnId: string): void {
    const turn = this.ledger.get(turnId);
    if (!turn) {
      if (this.ledger.tombstone(turnId)) return;
      this.deps.emit('turnEnd', { callId: this.deps.callId, turnId }); // a turn with no text
      return this.ledger.finish(turnId, 'finished');
    }
    if (turn.handedOff) return;
    turn.endRequested = true;
    this.pump(turn);
  }

  /** Barge-in: close the turn's contexts now, drop whatever audio still comes for them. */
  cancel(turnId: string): void {
    const connection = this.deps.host.openConnection();
    const contexts = connection?.registry.forTurn(turnId) ?? [];
    for (const context of contexts) this.abandon(connection!, context);
    this.ledger.finish(turnId, 'cancelled');
    this.deps.log.info({ turnId, contexts: contexts.map((c) => c.contextId) }, 'TTS turn cancelled');
  }

  onConnectionOpen(): void {
    for (const turn of this.ledger.active()) this.pump(turn);
  }

  /** The socket is gone (or being replaced): its contexts with it. Unfinished sentences wait for the next. */
  onConnectionLost(connection: TtsConnection, closeOpenContexts: boolean): void {
    if (closeOpenContexts) {
      for (const context of connection.registry.openOnes()) connection.send(outbound.closeContext(context.contextId));
    }
    connection.registry.clear();
    for (const turn of this.ledger.active()) {
      if (turn.contextConnectionId !== connection.id) continue;
      turn.contextConnectionId = undefined;
      this.ledger.resetForResend(turn);
      if (turn.superseded || (turn.endRequested && turn.sentences.every((s) => s.covered || s.ended))) {
        this.finishTurn(turn);
      }
    }
  }

  /** Hangup: close every open context on the socket. */
  closeAll(connection: TtsConnection): void {
    for (const context of connection.registry.openOnes()) connection.send(outbound.closeContext(context.contextId));
    connection.registry.clear();
    this.ledger.clear();
  }

  /** The session gave up: every unfinished sentence goes to the caller's fallback. */
  handOffAll(error?: TtsError): void {
    for (const turn of this.ledger.active()) this.handOff(turn, error);
  }

  hasQueuedWork(): boolean {
    return this.ledger.active().some((t) => t.sentences.some((s) => !s.sentOn && !s.covered && !s.ended));
  }

  onMessage(connection: TtsConnection, message: ServerMessage): void {
    const { log } = this.deps;
    if (message.error) log.warn({ contextId: message.contextId, ...message.error }, 'TTS server error message');
    const context = connection.registry.get(message.contextId);
    if (!context) {
      if (message.audio) log.debug({ contextId: message.contextId }, 'TTS audio for an unknown context dropped');
      return;
    }
    if (message.audio) this.onAudio(connection, context, message);
    if (message.isFinal) this.onFinal(connection, context);
  }

  private pump(turn: TurnRecord): void {
    if (turn.handedOff || this.ledger.get(turn.turnId) !== turn) return;
    const connection = this.deps.host.openConnection();
    const unsent = turn.sentences.filter((s) => !s.sentOn && !s.covered && !s.ended);
    if (unsent.length > 0) {
      if (!connection) return this.deps.host.needConnection();
      const context = this.contextFor(connection, turn);
      if (!context) return;
      for (const sentence of unsent) this.send(connection, turn, context, sentence);
    }
    this.maybeClose(turn, connection);
  }

  private contextFor(connection: TtsConnection, turn: TurnRecord): LiveContext | undefined {
    const existing = connection.registry.get(turn.contextId);
    if (existing?.phase === 'open' && turn.contextConnectionId === connection.id) return existing;
    if (connection.registry.isFull()) {
      this.deps.host.recycle('context limit');
      return undefined;
    }
    if (turn.contextConnectionId !== connection.id) {
      turn.contextConnectionId = connection.id;
      turn.contextsOnConnection = 0;
    }
    // The turn id itself (the simulator reads the turn from it); a suffix only for a re-send on the same socket.
    const n = turn.contextsOnConnection++;
    const contextId = n === 0 ? turn.turnId : `${turn.turnId}_r${n}`;
    const context = connection.registry.open(contextId, turn.turnId);
    connection.send(outbound.openContext(contextId, this.deps.voiceSettings));
    turn.contextId = contextId;
    return context;
  }

  private send(connection: TtsConnection, turn: TurnRecord, context: LiveContext, sentence: SentenceRecord): void {
    const now = this.deps.clock.now();
    connection.send(outbound.sentence(context.contextId, sentence.text));
    context.lastSentAt = now;
    sentence.sentOn = context.contextId;
    sentence.sentAt = now;
    this.deps.log.info(
      { turnId: turn.turnId, seq: sentence.seq, contextId: context.contextId, resend: sentence.bytesEmitted > 0, pii: { text: sentence.text } },
      `streaming sentence #${sentence.seq}`,
    );
    this.audio.covered(turn, context.attributor.add(sentence.seq, sentence.text));
    this.armNoAudio(connection, context);
  }

  private onAudio(connection: TtsConnection, context: LiveContext, message: ServerMessage): void {
    const turn = this.ledger.get(context.turnId);
    if (context.dropAudio || !turn || turn.handedOff) {
      return this.deps.log.debug({ turnId: context.turnId, contextId: context.contextId }, 'TTS late audio dropped');
    }
    this.audio.receive(turn, context, message.audio!, message.alignment);
    connection.registry.stopTimer(context);
    this.armNoAudio(connection, context);
    this.maybeClose(turn, connection);
  }

  private onFinal(connection: TtsConnection, context: LiveContext): void {
    connection.registry.remove(context.contextId);
    const turn = this.ledger.get(context.turnId);
    if (context.dropAudio || !turn || turn.handedOff) return;
    this.audio.final(turn, context);
    if (turn.contextId === context.contextId) turn.contextId = undefined;
    // Normally the end of the turn; if the service closed the context on its own, later text opens a new one.
    this.pump(turn);
  }

  /**
   * Closes the turn's context once its text is complete, all of it flushed, AND the audio of its final
   * sentence has started. Closing earlier loses audio in practice (the silent-turn race).
   */
  private maybeClose(turn: TurnRecord, connection: TtsConnection | undefined): void {
    if (!turn.endRequested && !turn.superseded) return;
    if (turn.sentences.some((s) => !s.sentOn && !s.covered && !s.ended)) return;
    const context = connection?.registry.get(turn.contextId);
    if (!connection || !context || context.phase !== 'open' || turn.contextConnectionId !== connection.id) {
      const waiting = connection?.registry.forTurn(turn.turnId).some((c) => !c.dropAudio) ?? false;
      if (!waiting && turn.sentences.every((s) => s.covered || s.ended)) this.finishTurn(turn);
      return;
    }
    const finalSpoken = [...turn.sentences]
      .reverse()
      .find((s) => s.sentOn === context.contextId && countSpeakable(s.text) > 0);
    if (finalSpoken && !context.attributor.audioStarted(finalSpoken.seq)) return;
    connection.send(outbound.closeContext(context.contextId));
    connection.registry.markClosing(context);
    this.deps.log.debug({ turnId: turn.turnId, contextId: context.contextId }, 'TTS context closing');
  }

  private finishTurn(turn: TurnRecord): void {
    this.audio.endAll(turn);
    turn.carry = [];
    this.ledger.finish(turn.turnId, 'finished');
    this.deps.emit('turnEnd', { callId: this.deps.callId, turnId: turn.turnId });
  }

  /** A newer turn's first sentence: older turns take no more text and their open contexts close first. */
  private supersedeOthers(newest: TurnRecord): void {
    const connection = this.deps.host.openConnection();
    for (const other of this.ledger.active()) {
      if (other === newest || other.superseded) continue;
      other.superseded = true;
      const unsent = other.sentences.filter((s) => !s.sentOn && !s.covered && !s.ended);
      for (const s of unsent) other.sentences.splice(other.sentences.indexOf(s), 1);
      const context = connection?.registry.get(other.contextId);
      if (connection && context?.phase === 'open') {
        connection.send(outbound.closeContext(context.contextId));
        connection.registry.markClosing(context);
      }
      this.deps.log.info({ turnId: other.turnId, by: newest.turnId, dropped: unsent.length }, 'TTS turn superseded');
      this.maybeClose(other, connection);
    }
  }

  private abandon(connection: TtsConnection, context: LiveContext): void {
    context.dropAudio = true;
    if (context.phase === 'open') {
      connection.send(outbound.closeContext(context.contextId));
      connection.registry.markClosing(context);
    } else {
      connection.registry.stopTimer(context);
    }
  }

  private handOff(turn: TurnRecord, error?: TtsError): void {
    if (turn.endRequested && turn.sentences.length > 0 && turn.sentences.every((s) => s.covered || s.ended)) {
      return this.finishTurn(turn);
    }
    const pending = this.ledger.pending(turn);
    this.audio.endCovered(turn); // complete: their ends go out now
    for (const s of turn.sentences) if (!s.covered) s.ended = true; // the caller owns them now
    turn.handedOff = true;
    turn.contextId = undefined;
    if (pending.length === 0) return;
    this.deps.log.warn({ turnId: turn.turnId, pending: pending.map((p) => p.seq) }, 'TTS turn handed to fallback');
    this.deps.emit('fallback', { callId: this.deps.callId, turnId: turn.turnId, pending, turnComplete: turn.endRequested, error });
  }

  private armNoAudio(connection: TtsConnection, context: LiveContext): void {
    if (context.noAudioTimer !== undefined || context.phase !== 'open' || !context.attributor.awaitingAudio()) return;
    context.noAudioTimer = this.deps.clock.setTimeout(() => this.onNoAudio(connection, context), this.deps.noAudioTimeoutMs);
  }

  /** No audio in time: report, then re-send the unfinished text once in a fresh context on the same socket. */
  private onNoAudio(connection: TtsConnection, context: LiveContext): void {
    context.noAudioTimer = undefined;
    const turn = this.ledger.get(context.turnId);
    if (connection.registry.get(context.contextId) !== context || context.phase !== 'open' || !turn) return;
    const error = new TtsError('no_audio', true, 'no_audio', `no audio within ${this.deps.noAudioTimeoutMs} ms`, {
      turnId: turn.turnId,
      contextId: context.contextId,
    });
    this.deps.log.warn({ turnId: turn.turnId, ...error.toLog(), retried: turn.noAudioRetried }, 'TTS context produced no audio');
    this.deps.emit('error', error);
    if (turn.noAudioRetried) return this.deps.host.stuck(connection, error);
    turn.noAudioRetried = true;
    this.abandon(connection, context);
    this.ledger.resetForResend(turn);
    this.pump(turn);
  }
}
