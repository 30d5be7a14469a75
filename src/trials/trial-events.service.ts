import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { TrialDomainEvent } from './trial.types.js';

/**
 * The one way trial domain events leave the service (trial.started, trial.converted,
 * trial.expired, trial.will_end), always after the change committed. In-process for now
 * (EventEmitter2, as the webhook worker does); the one method to move to an outbox table.
 */
@Injectable()
export class TrialEventsService {
  constructor(private readonly emitter: EventEmitter2) {}

  publish(events: readonly TrialDomainEvent[]): void {
    for (const event of events) this.emitter.emit(event.name, event);
  }
}
