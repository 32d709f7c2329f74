import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CallEndedMessage } from '@app/contracts';
import { DeadAirService } from './dead-air.service';

/**
 * The control lane, read by every gateway replica: when a call ends, whichever replica handled the
 * hangup, every replica frees what it holds for the call (a dead-air timer armed here).
 */
@Controller()
export class CallControlConsumer {
  constructor(private readonly deadAir: DeadAirService) {}

  @EventPattern('call.ended')
  onCallEnded(@Payload() ended: CallEndedMessage): void {
    this.deadAir.disarm(ended.callId);
  }
}
