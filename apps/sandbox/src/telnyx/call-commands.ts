import { callEnded, notAnswered, notFound } from './api-errors';
import { CallLifecycle } from './call-lifecycle';
import { CallState, SimCall } from './call.registry';
import { MediaControl } from './media-control';
import { PlaybackSimulator } from './playback.simulator';

/**
 * `POST /calls/{call_control_id}/actions/{command}`: the effect of each command the voice agent uses.
 * Every action path of the telnyx 7.24 SDK (resources/calls/actions.js) is accepted; the ones the agent
 * does not use are answered `ok` and recorded, without effect. A path that is not a Telnyx command is
 * 404, so a typo fails here as it would against Telnyx.
 */
export const SDK_ACTION_PATHS = [
  'ai_assistant_add_messages', 'ai_assistant_join', 'ai_assistant_start', 'ai_assistant_stop', 'answer', 'bridge',
  'client_state_update', 'conversation_relay_start', 'conversation_relay_stop', 'enqueue', 'fork_start', 'fork_stop',
  'gather', 'gather_stop', 'gather_using_ai', 'gather_using_audio', 'gather_using_speak', 'hangup', 'leave_queue', 'pay',
  'playback_start', 'playback_stop', 'record_pause', 'record_resume', 'record_start', 'record_stop', 'refer', 'reject',
  'send_dtmf', 'send_sip_info', 'siprec_start', 'siprec_stop', 'speak', 'streaming_start', 'streaming_stop',
  'suppression_start', 'suppression_stop', 'switch_supervisor_role', 'transcription_start', 'transcription_stop', 'transfer',
] as const;

/** Commands on the call's media: Telnyx refuses them before the call is answered (90034). */
const NEEDS_ANSWER = new Set([
  'playback_start', 'playback_stop', 'speak', 'streaming_start', 'streaming_stop', 'transcription_start',
  'transcription_stop', 'send_dtmf', 'record_start', 'record_stop', 'record_pause', 'record_resume', 'gather',
  'gather_using_audio', 'gather_using_speak', 'fork_start', 'fork_stop',
]);

type Handler = (call: SimCall, body: Record<string, unknown>) => void;

export class CallCommands {
  private readonly handlers: Record<string, Handler>;
  private readonly known = new Set<string>(SDK_ACTION_PATHS);

  constructor(lifecycle: CallLifecycle, media: MediaControl, playback: PlaybackSimulator) {
    this.handlers = {
      answer: (call, body) => lifecycle.answer(call, body),
      hangup: (call) => lifecycle.hangup(call, 'app'),
      reject: (call, body) => lifecycle.hangup(call, 'app', body.cause === 'USER_BUSY' ? 'user_busy' : 'call_rejected'),
      playback_start: (call, body) => playback.startPlayback(call, body),
      playback_stop: (call, body) => playback.stopPlayback(call, body),
      speak: (call, body) => playback.speak(call, body),
      streaming_start: (call, body) => media.startStreaming(call, body),
      streaming_stop: (call, body) => media.stopStreaming(call, body),
      transcription_start: (call, body) => media.startTranscription(call, body),
      transcription_stop: (call) => media.stopTranscription(call),
    };
  }

  isKnown(command: string): boolean {
    return this.known.has(command);
  }

  /** Applies the command; throws an ApiError the API answers with. */
  run(call: SimCall, command: string, body: Record<string, unknown>): void {
    if (!this.known.has(command)) throw notFound();
    if (call.state === CallState.Ended) throw callEnded();
    if (NEEDS_ANSWER.has(command) && call.state !== CallState.Answered) throw notAnswered(command);
    const previousState = call.clientState;
    if (typeof body.client_state === 'string') call.clientState = body.client_state;
    try {
      this.handlers[command]?.(call, body);
    } catch (error) {
      call.clientState = previousState;
      throw error;
    }
  }
}
