import { Inject, Injectable } from '@nestjs/common';
import { AgentDirectory } from '@app/config';
import { AppLogger, TurnMarks } from '@app/telemetry';
import { AGENTS, LOGGER } from '@app/core';
import { CallCodec } from '../audio/g711.codec';
import { MediaConnection } from '../media/media-connection';
import { CallPlayback } from './call-playback';
import { CallFacts, PlaybackClaims } from './playback-claims';
import { PlaybackPacer } from './playback-pacer';
import { PlaybackReporter } from './playback-reporter';

/**
 * The codec Telnyx expects from us when the agent is unknown: `stream_bidirectional_codec` defaults to
 * PCMU (providers.md). The inbound encoding in `start` is the caller's leg, not what we must send.
 */
export const DEFAULT_OUTBOUND_CODEC: CallCodec = 'PCMU';

/** Builds a call's media-streaming playback: its outbound codec, the shared pacer, its reports. */
@Injectable()
export class StreamingPlaybackFactory {
  constructor(
    private readonly pacer: PlaybackPacer,
    private readonly reporter: PlaybackReporter,
    private readonly claims: PlaybackClaims,
    private readonly marks: TurnMarks,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * What we send is what the gateway asked Telnyx for (`stream_bidirectional_codec`: the agent's
   * playback codec); TTS audio in any other format is converted in-process.
   */
  outboundCodec(facts: CallFacts): CallCodec {
    const agent = facts.agentId ? this.agents.get(facts.agentId) : undefined;
    return agent?.playback.codec ?? DEFAULT_OUTBOUND_CODEC;
  }

  create(callId: string, facts: CallFacts, connection: MediaConnection): CallPlayback {
    const cancelledTurn = facts.bargedTurn === facts.turnId ? facts.bargedTurn : undefined;
    const playback = new CallPlayback(
      callId,
      this.outboundCodec(facts),
      connection,
      {
        pacer: this.pacer.pacer,
        reports: this.reporter,
        marks: this.marks,
        logger: this.logger,
        sentenceHeard: (id, sentence) => this.claims.recordHeard(id, sentence),
        closed: (id) => this.pacer.unbind(id),
      },
      facts.turnId,
      cancelledTurn,
    );
    this.pacer.bind(callId, playback);
    return playback;
  }
}
