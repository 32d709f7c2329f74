import { Clock, TimerHandle } from '@app/clock';
import { invalidParameter, missingParameter } from './api-errors';
import { CallWebhooks } from './call-webhooks';
import { CallRegistry, CallState, HangupSource, SimCall } from './call.registry';
import { MediaControl } from './media-control';
import { PlaybackSimulator } from './playback.simulator';

/**
 * A call's life: an incoming call is initiated (`parked`) and answered by `answer`; an outgoing one is
 * dialled, rings for `ringMs` and is answered by the far end; either ends once, with call.hangup.
 * hangup_source is the side that hung up: on an incoming call our app is the callee, on a dialled
 * call it is the caller.
 */
/** How long a dialled phone rings before the simulated far end answers. */
export const DEFAULT_OUTBOUND_RING_MS = 2_000;

export type Party = 'app' | 'phone';

export interface LifecycleOptions {
  connectionId: string;
  ringMs: number;
}

export class CallLifecycle {
  private readonly ringing = new Map<string, TimerHandle>();
  /** Called when a dialled call is answered (the simulator starts the outbound script there). */
  onOutboundAnswered: (call: SimCall) => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    private readonly registry: CallRegistry,
    private readonly webhooks: CallWebhooks,
    private readonly media: MediaControl,
    private readonly playback: PlaybackSimulator,
    private readonly options: LifecycleOptions,
  ) {}

  placeIncoming(from: string, to: string): SimCall {
    const call = this.registry.create({ direction: 'incoming', from, to, connectionId: this.options.connectionId });
    this.webhooks.initiated(call);
    return call;
  }

  answer(call: SimCall, body: Record<string, unknown>): void {
    if (call.direction !== 'incoming') throw invalidParameter('call_control_id', 'only an incoming call can be answered');
    if (call.state === CallState.Answered) return;
    if (typeof body.stream_url === 'string') this.media.validateStreaming(body);
    if (typeof body.webhook_url === 'string') call.webhookUrl = body.webhook_url;
    this.markAnswered(call, body);
  }

  dial(body: Record<string, unknown>): SimCall {
    for (const name of ['connection_id', 'from', 'to']) if (!body[name]) throw missingParameter(name);
    if (typeof body.stream_url === 'string') this.media.validateStreaming(body);
    const to = Array.isArray(body.to) ? String(body.to[0]) : String(body.to);
    const call = this.registry.create({
      direction: 'outgoing',
      from: String(body.from),
      to,
      connectionId: String(body.connection_id),
      webhookUrl: typeof body.webhook_url === 'string' ? body.webhook_url : undefined,
      clientState: typeof body.client_state === 'string' ? body.client_state : null,
    });
    this.webhooks.initiated(call);
    this.ringing.set(
      call.callControlId,
      this.clock.setTimeout(() => {
        this.ringing.delete(call.callControlId);
        if (call.state !== CallState.Ringing) return;
        this.markAnswered(call, body);
        this.onOutboundAnswered(call);
      }, this.options.ringMs),
    );
    return call;
  }

  /** Ends the call once: playbacks and streams stop, call.hangup is sent, waits on the call abort. */
  hangup(call: SimCall, by: Party, cause?: string): void {
    if (call.state === CallState.Ended) return;
    this.clock.clearTimeout(this.ringing.get(call.callControlId));
    this.ringing.delete(call.callControlId);
    const unanswered = call.state === CallState.Ringing || call.state === CallState.Parked;
    this.playback.hangup(call);
    this.media.stopAll(call);
    call.state = CallState.Ended;
    call.endedAt = this.clock.epochNow();
    call.hangupCause = cause ?? (unanswered && by === 'app' && call.direction === 'outgoing' ? 'originator_cancel' : 'normal_clearing');
    call.hangupSource = source(call, by);
    this.webhooks.hangup(call);
    call.lifetime.abort();
    call.changes.fire();
  }

  private markAnswered(call: SimCall, body: Record<string, unknown>): void {
    call.state = CallState.Answered;
    call.answeredAt = this.clock.epochNow();
    this.webhooks.answered(call);
    this.media.applyAnswerOptions(call, body);
    call.changes.fire();
  }
}

function source(call: SimCall, by: Party): HangupSource {
  const appIsCaller = call.direction === 'outgoing';
  return (by === 'app') === appIsCaller ? 'caller' : 'callee';
}
